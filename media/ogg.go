package media

import (
	"encoding/binary"
)

// oggCRC is the Ogg page checksum table (polynomial 0x04C11DB7, not
// reflected, initial value 0).
var oggCRC = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for j := 0; j < 8; j++ {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04C11DB7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

func oggChecksum(page []byte) uint32 {
	var crc uint32
	for i, c := range page {
		if i >= 22 && i < 26 { // the checksum field counts as zeros
			c = 0
		}
		crc = crc<<8 ^ oggCRC[byte(crc>>24)^c]
	}
	return crc
}

// inspectOgg walks every page of a single-stream Ogg file (checksums
// checked) holding Opus or Vorbis audio. The duration is the last page's
// granule position over the sample rate (Opus: 48 kHz, less the pre-skip).
func inspectOgg(b []byte) (Info, error) {
	info := Info{MediaType: "audio/ogg", Kind: Audio, Ext: ".ogg"}
	var (
		serial  uint32
		rate    uint64
		preSkip uint64
		granule uint64
		have    bool
	)
	pages := 0
	for p := 0; p < len(b); {
		if len(b)-p < 27 || string(b[p:p+4]) != "OggS" || b[p+4] != 0 {
			return info, noDuration("the Ogg file is damaged at byte %d", p)
		}
		nseg := int(b[p+26])
		if len(b)-p < 27+nseg {
			return info, noDuration("the Ogg file is truncated")
		}
		size := 0
		for _, l := range b[p+27 : p+27+nseg] {
			size += int(l)
		}
		end := p + 27 + nseg + size
		if end > len(b) {
			return info, noDuration("the Ogg file is truncated")
		}
		page := b[p:end]
		if oggChecksum(page) != binary.LittleEndian.Uint32(page[22:26]) {
			return info, noDuration("an Ogg page's checksum is wrong")
		}
		s := binary.LittleEndian.Uint32(page[14:18])
		g := binary.LittleEndian.Uint64(page[6:14])
		body := page[27+nseg:]
		if pages == 0 {
			if page[5]&0x02 == 0 {
				return info, unsupported("the Ogg file does not start a stream")
			}
			serial = s
			var err error
			if rate, preSkip, err = oggCodec(body); err != nil {
				return info, err
			}
		} else if s != serial {
			return info, unsupported("the Ogg file holds more than one stream")
		}
		if g != ^uint64(0) { // -1: no packet ends on this page
			granule, have = g, true
		}
		pages++
		p = end
	}
	if !have || granule <= preSkip {
		return info, noDuration("the Ogg file has no playing time")
	}
	info.Duration = ticks(granule-preSkip, rate)
	return info, nil
}

// oggCodec reads the identification header of the first packet.
func oggCodec(first []byte) (rate, preSkip uint64, err error) {
	switch {
	case len(first) >= 19 && string(first[:8]) == "OpusHead":
		// Opus granules always count 48 kHz samples.
		return 48000, uint64(binary.LittleEndian.Uint16(first[10:12])), nil
	case len(first) >= 30 && string(first[:7]) == "\x01vorbis":
		rate = uint64(binary.LittleEndian.Uint32(first[12:16]))
		if rate == 0 {
			return 0, 0, noDuration("the Vorbis sample rate is zero")
		}
		return rate, 0, nil
	}
	return 0, 0, unsupported("the Ogg file is neither Opus nor Vorbis audio")
}
