// Package mediatest builds small, valid media files byte by byte for
// tests: images, WebM (with and without a Duration, as MediaRecorder
// writes it), Ogg Opus/Vorbis, MP3 and MP4/M4A of a chosen length.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
)

func picture() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	return img
}

// PNG is a 2×2 PNG image.
func PNG() []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, picture()); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// PNGOfSize is a valid PNG image of exactly n bytes (n ≥ 200), padded
// with a text chunk before its end.
func PNGOfSize(n int) []byte {
	img := PNG()
	iend := len(img) - 12
	pad := n - len(img) - 12
	if pad < 0 {
		panic("PNGOfSize: too small")
	}
	data := append([]byte("Comment\x00"), bytes.Repeat([]byte{'x'}, max(pad-8, 0))...)
	data = data[:pad]
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := append(append(append([]byte{}, img[:iend]...), chunk...), img[iend:]...)
	return out
}

// JPEG is a 2×2 JPEG image.
func JPEG() []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(), nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// GIF is a 2×2 GIF image.
func GIF() []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, picture(), nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// WebP is a 1×1 lossless WebP image.
func WebP() []byte {
	return []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
}

// HTML is a web page, to be uploaded under an image's name.
func HTML() []byte {
	return []byte("<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n")
}

// ---- WebM ----

// WebM describes a WebM file to build.
type WebM struct {
	Seconds float64
	Video   bool // a VP8 track besides the Opus one
	// MediaRecorder writes no Duration and leaves the Segment's and every
	// Cluster's size unknown, as browsers do.
	MediaRecorder bool
	// Duration, when not MediaRecorder, is the Info Duration to write in
	// seconds (0: Seconds).
	Duration float64
}

func ebmlID(id uint32) []byte {
	switch {
	case id >= 1<<24:
		return []byte{byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)}
	case id >= 1<<16:
		return []byte{byte(id >> 16), byte(id >> 8), byte(id)}
	case id >= 1<<8:
		return []byte{byte(id >> 8), byte(id)}
	}
	return []byte{byte(id)}
}

func el(id uint32, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	out := ebmlID(id)
	if len(body) < 127 {
		out = append(out, 0x80|byte(len(body)))
	} else {
		out = append(out, 0x01) // 8-byte size: marker byte, then 7 bytes
		out = append(out, binary.BigEndian.AppendUint64(nil, uint64(len(body)))[1:]...)
	}
	return append(out, body...)
}

func unknown(id uint32) []byte {
	return append(ebmlID(id), 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
}

func uintBytes(v uint64) []byte {
	b := binary.BigEndian.AppendUint64(nil, v)
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// Bytes builds the file: blocks every 20 ms (audio) and 100 ms (video) in
// clusters of one second, the last block starting at Seconds.
func (w WebM) Bytes() []byte {
	var out []byte
	out = append(out, el(0x1A45DFA3, el(0x4286, []byte{1}), el(0x42F7, []byte{1}), el(0x4282, []byte("webm")),
		el(0x4287, []byte{4}), el(0x4285, []byte{2}))...)
	info := [][]byte{el(0x2AD7B1, uintBytes(1_000_000)), el(0x4D80, []byte("parley-test")), el(0x5741, []byte("parley-test"))}
	if !w.MediaRecorder {
		d := w.Duration
		if d == 0 {
			d = w.Seconds
		}
		info = append(info, el(0x4489, binary.BigEndian.AppendUint64(nil, math.Float64bits(d*1000))))
	}
	tracks := [][]byte{el(0xAE, el(0xD7, []byte{1}), el(0x73C5, []byte{1}), el(0x83, []byte{2}), el(0x86, []byte("A_OPUS")),
		el(0x63A2, []byte("OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00")))}
	if w.Video {
		tracks = append(tracks, el(0xAE, el(0xD7, []byte{2}), el(0x73C5, []byte{2}), el(0x83, []byte{1}), el(0x86, []byte("V_VP8")),
			el(0xE0, el(0xB0, []byte{2}), el(0xBA, []byte{2}))))
	}
	seg := [][]byte{el(0x1549A966, info...), el(0x1654AE6B, tracks...)}
	totalMS := int(w.Seconds * 1000)
	for start := 0; start <= totalMS; start += 1000 {
		cl := [][]byte{el(0xE7, uintBytes(uint64(start)))}
		for t := start; t < start+1000 && t <= totalMS; t += 20 {
			rel := t - start
			cl = append(cl, el(0xA3, []byte{0x81, byte(rel >> 8), byte(rel), 0x80, 0xFC, 0xFF, 0xFE}))
			if w.Video && rel%100 == 0 {
				cl = append(cl, el(0xA3, []byte{0x82, byte(rel >> 8), byte(rel), 0x80, 0x10, 0x02, 0x00}))
			}
		}
		if w.MediaRecorder {
			seg = append(seg, append(unknown(0x1F43B675), bytes.Join(cl, nil)...))
		} else {
			seg = append(seg, el(0x1F43B675, cl...))
		}
	}
	if w.MediaRecorder {
		return append(append(out, unknown(0x18538067)...), bytes.Join(seg, nil)...)
	}
	return append(out, el(0x18538067, seg...)...)
}

// ---- Ogg ----

var oggTable = func() (t [256]uint32) {
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

func oggPage(flags byte, granule uint64, seq uint32, packet []byte) []byte {
	var lace []byte
	n := len(packet)
	for n >= 255 {
		lace = append(lace, 255)
		n -= 255
	}
	lace = append(lace, byte(n))
	p := []byte("OggS\x00")
	p = append(p, flags)
	p = binary.LittleEndian.AppendUint64(p, granule)
	p = binary.LittleEndian.AppendUint32(p, 0x5041524C) // serial
	p = binary.LittleEndian.AppendUint32(p, seq)
	p = append(p, 0, 0, 0, 0, byte(len(lace)))
	p = append(append(p, lace...), packet...)
	var crc uint32
	for _, c := range p {
		crc = crc<<8 ^ oggTable[byte(crc>>24)^c]
	}
	binary.LittleEndian.PutUint32(p[22:], crc)
	return p
}

// OggOpus is an Ogg Opus voice note of the given length: a page per
// second of 20 ms packets.
func OggOpus(seconds float64) []byte {
	const preSkip = 312
	head := []byte("OpusHead\x01\x01")
	head = binary.LittleEndian.AppendUint16(head, preSkip)
	head = binary.LittleEndian.AppendUint32(head, 48000)
	head = append(head, 0, 0, 0)
	out := oggPage(0x02, 0, 0, head)
	out = append(out, oggPage(0, 0, 1, []byte("OpusTags\x05\x00\x00\x00test!\x00\x00\x00\x00"))...)
	total := uint64(seconds * 48000)
	seq := uint32(2)
	for g := uint64(0); g < total; {
		g = min(g+48000, total)
		flags := byte(0)
		if g == total {
			flags = 0x04
		}
		out = append(out, oggPage(flags, g+preSkip, seq, bytes.Repeat([]byte{0xFC, 0xFF, 0xFE}, 50))...)
		seq++
	}
	return out
}

// OggVorbis is an Ogg Vorbis file of the given length at 44.1 kHz.
func OggVorbis(seconds float64) []byte {
	id := []byte("\x01vorbis\x00\x00\x00\x00\x01")
	id = binary.LittleEndian.AppendUint32(id, 44100)
	id = append(id, make([]byte, 12)...)
	id = append(id, 0xB8, 0x01)
	out := oggPage(0x02, 0, 0, id)
	total := uint64(seconds * 44100)
	out = append(out, oggPage(0x04, total, 1, []byte{0, 1, 2, 3})...)
	return out
}

// ---- MP3 ----

// MP3 is an MPEG-1 Layer III stream (32 kbit/s, 48 kHz, mono) of the
// given length, with an ID3v2 tag and, if xing, an Info header frame.
func MP3(seconds float64, xing bool) []byte {
	out := []byte("ID3\x04\x00\x00\x00\x00\x00\x0a")
	out = append(out, "TIT2\x00\x00\x00\x00\x00\x00"...)
	frame := func() []byte {
		f := make([]byte, 96) // 144 * 32000 / 48000
		copy(f, []byte{0xFF, 0xFB, 0x14, 0xC4})
		return f
	}
	n := int(seconds * 48000 / 1152)
	if xing {
		f := frame()
		copy(f[4+17:], "Info")
		binary.BigEndian.PutUint32(f[4+17+4:], 1)
		binary.BigEndian.PutUint32(f[4+17+8:], uint32(n))
		out = append(out, f...)
	}
	for i := 0; i < n; i++ {
		out = append(out, frame()...)
	}
	return out
}

// ---- MP4 ----

func box(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	out := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(out, typ...), body...)
}

func fullBox(typ string, payload ...[]byte) []byte {
	return box(typ, append([][]byte{{0, 0, 0, 0}}, payload...)...)
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// MP4 is an MP4 movie (video true: a video and a sound track) or an M4A
// voice note of the given length; its mvhd, mdhd and sample tables agree.
func MP4(seconds float64, video bool) []byte { return MP4Of(seconds, seconds, 0, video) }

// MP4Of builds an MP4 whose headers (mvhd, mdhd) say header seconds, whose
// sample tables (stts) hold samples seconds, and which has, when
// fragments > 0, movie fragments (moof/trun, as Safari's MediaRecorder
// writes) of that many seconds in all.
func MP4Of(header, samples, fragments float64, video bool) []byte {
	brand := "M4A "
	if video {
		brand = "isom"
	}
	const scale = 1000
	dur := uint32(header * scale)
	mvhd := fullBox("mvhd", u32(0), u32(0), u32(scale), u32(dur), u32(0x00010000), []byte{1, 0, 0, 0},
		make([]byte, 8), u32(0x00010000), make([]byte, 12), u32(0x00010000), make([]byte, 12), u32(0x40000000), make([]byte, 24), u32(3))
	trak := func(id uint32, handler string) []byte {
		tkhd := box("tkhd", []byte{0, 0, 0, 3}, u32(0), u32(0), u32(id), u32(0), u32(dur), make([]byte, 8),
			make([]byte, 8), u32(0x00010000), make([]byte, 12), u32(0x00010000), make([]byte, 12), u32(0x40000000), u32(0), u32(0))
		mdhd := fullBox("mdhd", u32(0), u32(0), u32(scale), u32(dur), []byte{0x55, 0xC4, 0, 0})
		hdlr := fullBox("hdlr", u32(0), []byte(handler), make([]byte, 12), []byte("parley\x00"))
		stts := fullBox("stts", u32(0))
		if n := uint32(samples * 10); n > 0 { // 100 ms samples
			stts = fullBox("stts", u32(1), u32(n), u32(100))
		}
		stbl := box("stbl", fullBox("stsd", u32(0)), stts, fullBox("stsc", u32(0)),
			fullBox("stsz", u32(0), u32(0)), fullBox("stco", u32(0)))
		return box("trak", tkhd, box("mdia", mdhd, hdlr, box("minf", stbl)))
	}
	traks := [][]byte{mvhd, trak(1, "soun")}
	if video {
		traks = append(traks, trak(2, "vide"))
	}
	if fragments > 0 {
		traks = append(traks, box("mvex", fullBox("trex", u32(1), u32(1), u32(0), u32(0), u32(0))))
	}
	out := box("ftyp", []byte(brand), u32(0), []byte(brand), []byte("isom"))
	out = append(out, box("moov", traks...)...)
	if fragments > 0 {
		n := uint32(fragments * 10)
		for seq := uint32(1); n > 0; seq++ {
			k := min(n, 10) // one second per fragment
			n -= k
			tfhd := box("tfhd", []byte{0, 0x02, 0, 0x08}, u32(1), u32(100)) // default-base-is-moof, default duration
			trun := box("trun", []byte{0, 0, 0, 0}, u32(k))
			out = append(out, box("moof", fullBox("mfhd", u32(seq)), box("traf", tfhd, trun))...)
			out = append(out, box("mdat", make([]byte, 8))...)
		}
		return out
	}
	return append(out, box("mdat", make([]byte, 64))...)
}
