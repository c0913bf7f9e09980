package media

import (
	"encoding/binary"
)

// MPEG audio tables: bitrates (kbit/s) by version and index for Layer III,
// sample rates (Hz) by version.
var (
	mp3BitrateV1 = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}
	mp3BitrateV2 = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}
	mp3Rates     = map[byte][3]int{3: {44100, 48000, 32000}, 2: {22050, 24000, 16000}, 0: {11025, 12000, 8000}}
)

// mp3Frame is one MPEG audio Layer III frame header.
type mp3Frame struct {
	size, samples, rate int
	sideInfo            int // bytes of side information after the header
}

// parseMP3Frame reads a Layer III frame header at b[0:4].
func parseMP3Frame(b []byte) (mp3Frame, bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return mp3Frame{}, false
	}
	version := (b[1] >> 3) & 3 // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
	layer := (b[1] >> 1) & 3   // 1: Layer III
	if version == 1 || layer != 1 {
		return mp3Frame{}, false
	}
	bi, ri := b[2]>>4, (b[2]>>2)&3
	if ri == 3 {
		return mp3Frame{}, false
	}
	pad := int(b[2]>>1) & 1
	mono := b[3]>>6 == 3
	f := mp3Frame{rate: mp3Rates[version][ri]}
	if version == 3 {
		f.samples = 1152
		f.size = 144*mp3BitrateV1[bi]*1000/f.rate + pad
		f.sideInfo = 32
		if mono {
			f.sideInfo = 17
		}
	} else {
		f.samples = 576
		f.size = 72*mp3BitrateV2[bi]*1000/f.rate + pad
		f.sideInfo = 17
		if mono {
			f.sideInfo = 9
		}
	}
	if bi == 0 || bi == 15 || f.size < 4+f.sideInfo {
		return mp3Frame{}, false // free-format or bad bitrate
	}
	return f, true
}

// inspectMP3 walks every frame of an MP3 file after its ID3v2 tag. The
// duration is the frames' samples over the sample rate, or the Xing/Info
// header's frame count when that is larger (a header never shortens it).
// After the last frame only an ID3v1 or APE tag, or less than a frame, may
// follow.
func inspectMP3(b []byte) (Info, error) {
	info := Info{MediaType: "audio/mpeg", Kind: Audio, Ext: ".mp3"}
	p := 0
	if len(b) >= 10 && string(b[:3]) == "ID3" {
		size := int(b[6]&0x7F)<<21 | int(b[7]&0x7F)<<14 | int(b[8]&0x7F)<<7 | int(b[9]&0x7F)
		p = 10 + size
		if b[5]&0x10 != 0 {
			p += 10 // footer
		}
		if p > len(b) {
			return info, noDuration("the MP3 tag runs past the end of the file")
		}
	}
	var (
		frames   int
		samples  uint64
		rate     int
		xing     uint64
		xingSeen bool
	)
	for p+4 <= len(b) {
		f, ok := parseMP3Frame(b[p:])
		if !ok || p+f.size > len(b) {
			break
		}
		if rate == 0 {
			rate = f.rate
		} else if f.rate != rate {
			return info, noDuration("the MP3 frames change sample rate")
		}
		if frames == 0 {
			if n, ok := xingFrames(b[p:p+f.size], f); ok {
				xing, xingSeen = n*uint64(f.samples), true
				frames++
				p += f.size
				continue // the Xing frame carries no audio
			}
		}
		frames++
		samples += uint64(f.samples)
		p += f.size
	}
	rest := b[p:]
	switch {
	case len(rest) == 0:
	case len(rest) >= 3 && string(rest[:3]) == "TAG":
	case len(rest) >= 8 && string(rest[:8]) == "APETAGEX":
	case len(rest) < 1441 && frames > 0: // a last frame cut short
	default:
		return info, unsupported("the file is not a clean MP3 stream")
	}
	audioFrames := frames
	if xingSeen {
		audioFrames--
	}
	if audioFrames < 2 || rate == 0 {
		return info, noDuration("the MP3 file has too few frames")
	}
	info.Duration = ticks(max(samples, xing), uint64(rate))
	return info, nil
}

// xingFrames reads the frame count of a Xing or Info header in the first
// frame, when it has one.
func xingFrames(frame []byte, f mp3Frame) (uint64, bool) {
	at := 4 + f.sideInfo
	if len(frame) < at+12 {
		return 0, false
	}
	tag := string(frame[at : at+4])
	if tag != "Xing" && tag != "Info" {
		return 0, false
	}
	flags := binary.BigEndian.Uint32(frame[at+4 : at+8])
	if flags&1 == 0 {
		return 0, true // a Xing frame without a count: still not audio
	}
	return uint64(binary.BigEndian.Uint32(frame[at+8 : at+12])), true
}
