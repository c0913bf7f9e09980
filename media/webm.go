package media

import (
	"encoding/binary"
	"math"
	"time"
)

// EBML and Matroska element ids (with their length markers, as written).
const (
	ebmlHeader    = 0x1A45DFA3
	ebmlDocType   = 0x4282
	mkvSegment    = 0x18538067
	mkvInfo       = 0x1549A966
	mkvTimescale  = 0x2AD7B1
	mkvDuration   = 0x4489
	mkvTracks     = 0x1654AE6B
	mkvTrackEntry = 0xAE
	mkvCodecID    = 0x86
	mkvCluster    = 0x1F43B675
	mkvTimecode   = 0xE7
	mkvSimple     = 0xA3
	mkvGroup      = 0xA0
	mkvBlock      = 0xA1
	mkvBlockDur   = 0x9B
)

// unknownSize marks an element whose size field is all ones: it runs until
// an element that cannot be its child (browsers' MediaRecorder writes the
// Segment and every Cluster so).
const unknownSize = math.MaxUint64

var webmCodecs = map[string]Kind{"V_VP8": Video, "V_VP9": Video, "V_AV1": Video, "A_OPUS": Audio, "A_VORBIS": Audio}

// ebmlID reads an element id at b[p:], marker bits kept.
func ebmlID(b []byte, p int) (id uint32, n int, ok bool) {
	if p >= len(b) {
		return 0, 0, false
	}
	first := b[p]
	switch {
	case first&0x80 != 0:
		n = 1
	case first&0x40 != 0:
		n = 2
	case first&0x20 != 0:
		n = 3
	case first&0x10 != 0:
		n = 4
	default:
		return 0, 0, false
	}
	if p+n > len(b) {
		return 0, 0, false
	}
	for i := 0; i < n; i++ {
		id = id<<8 | uint32(b[p+i])
	}
	return id, n, true
}

// ebmlSize reads a data size at b[p:], marker removed; all ones is
// unknownSize.
func ebmlSize(b []byte, p int) (size uint64, n int, ok bool) {
	if p >= len(b) || b[p] == 0 {
		return 0, 0, false
	}
	first := b[p]
	n = 1
	for mask := byte(0x80); first&mask == 0; mask >>= 1 {
		n++
	}
	if p+n > len(b) {
		return 0, 0, false
	}
	size = uint64(first & (0xFF >> n))
	allOnes := size == uint64(0xFF>>n)
	for i := 1; i < n; i++ {
		size = size<<8 | uint64(b[p+i])
		allOnes = allOnes && b[p+i] == 0xFF
	}
	if allOnes {
		return unknownSize, n, true
	}
	return size, n, true
}

// element is one EBML element found by next: its id and data b[start:end]
// (end is len(b) for unknown sizes).
type element struct {
	id         uint32
	start, end int
	unknown    bool
}

// next reads the element header at b[p:] bounded by limit.
func next(b []byte, p, limit int) (element, bool) {
	id, n, ok := ebmlID(b[:limit], p)
	if !ok {
		return element{}, false
	}
	size, m, ok := ebmlSize(b[:limit], p+n)
	if !ok {
		return element{}, false
	}
	e := element{id: id, start: p + n + m}
	if size == unknownSize {
		e.unknown, e.end = true, limit
		return e, true
	}
	if size > uint64(limit-e.start) {
		return element{}, false
	}
	e.end = e.start + int(size)
	return e, true
}

func uintOf(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// inspectWebM walks a WebM file: the EBML header (DocType webm), the
// tracks (VP8/VP9/AV1 video, Opus/Vorbis audio) and every block of every
// cluster. The duration is the end of the last block (cluster timecode +
// block timecode, + BlockDuration where given), never less than the Info
// Duration when one is written: MediaRecorder files carry none.
func inspectWebM(b []byte) (Info, error) {
	info := Info{MediaType: "audio/webm", Kind: Audio, Ext: ".webm"}
	head, ok := next(b, 0, len(b))
	if !ok || head.id != ebmlHeader || head.unknown {
		return info, unsupported("not an EBML file")
	}
	docType := ""
	for p := head.start; p < head.end; {
		e, ok := next(b, p, head.end)
		if !ok || e.unknown {
			return info, unsupported("bad EBML header")
		}
		if e.id == ebmlDocType {
			docType = string(b[e.start:e.end])
		}
		p = e.end
	}
	if docType != "webm" {
		return info, unsupported("not a WebM file (doc type %q)", docType)
	}
	var (
		scale         uint64 = 1_000_000 // ns per tick
		headerTicks   float64
		tracks        int
		video         bool
		clusterTime   uint64
		haveCluster   bool
		haveTimecode  bool
		endTicks      uint64
		blocks        int
		groupTime     uint64
		groupDur      uint64
		groupHasBlock bool
	)
	blockAt := func(data []byte) bool {
		_, n, ok := ebmlSize(data, 0) // track number, same coding as sizes
		if !ok || len(data) < n+3 || !haveTimecode {
			return false
		}
		rel := int64(int16(binary.BigEndian.Uint16(data[n : n+2])))
		t := int64(clusterTime) + rel
		if t < 0 {
			t = 0
		}
		groupTime = uint64(t)
		endTicks = max(endTicks, groupTime)
		blocks++
		return true
	}
	p := head.end
	for p < len(b) {
		e, ok := next(b, p, len(b))
		if !ok {
			return info, noDuration("the WebM file is truncated or damaged at byte %d", p)
		}
		switch e.id {
		case mkvSegment:
			p = e.start
			continue
		case mkvCluster:
			haveCluster, haveTimecode = true, false
			p = e.start
			continue
		case mkvGroup:
			groupDur, groupHasBlock = 0, false
			p = e.start
			continue
		}
		if e.unknown {
			return info, noDuration("the WebM file has an element of unknown size at byte %d", p)
		}
		data := b[e.start:e.end]
		switch e.id {
		case mkvInfo:
			s, d, err := webmInfo(b, e)
			if err != nil {
				return info, err
			}
			if s != 0 {
				scale = s
			}
			headerTicks = d
		case mkvTracks:
			n, v, err := webmTracks(b, e)
			if err != nil {
				return info, err
			}
			tracks += n
			video = video || v
		case mkvTimecode:
			if !haveCluster || len(data) > 8 {
				return info, noDuration("a WebM timecode is misplaced")
			}
			clusterTime, haveTimecode = uintOf(data), true
		case mkvSimple:
			if !blockAt(data) {
				return info, noDuration("a WebM block is damaged")
			}
		case mkvBlock:
			if !blockAt(data) {
				return info, noDuration("a WebM block is damaged")
			}
			groupHasBlock = true
			endTicks = max(endTicks, groupTime+groupDur)
		case mkvBlockDur:
			if len(data) > 8 {
				return info, noDuration("a WebM block duration is damaged")
			}
			groupDur = min(uintOf(data), 1<<48)
			if groupHasBlock {
				endTicks = max(endTicks, groupTime+groupDur)
			}
		}
		p = e.end
	}
	if tracks == 0 {
		return info, unsupported("the WebM file has no tracks")
	}
	if video {
		info.MediaType, info.Kind = "video/webm", Video
	}
	if blocks == 0 {
		return info, noDuration("the WebM file has no media blocks")
	}
	secs := max(float64(endTicks)*float64(scale)/1e9, headerTicks*float64(scale)/1e9)
	if secs > maxSeconds || math.IsNaN(secs) {
		secs = maxSeconds
	}
	info.Duration = time.Duration(secs * float64(time.Second))
	if info.Duration <= 0 {
		return info, noDuration("the WebM file has no playing time")
	}
	return info, nil
}

// webmInfo reads the Info element's TimecodeScale and Duration (ticks).
func webmInfo(b []byte, info element) (scale uint64, dur float64, err error) {
	for p := info.start; p < info.end; {
		e, ok := next(b, p, info.end)
		if !ok || e.unknown {
			return 0, 0, noDuration("the WebM Info is damaged")
		}
		data := b[e.start:e.end]
		switch e.id {
		case mkvTimescale:
			if len(data) > 8 {
				return 0, 0, noDuration("the WebM timecode scale is damaged")
			}
			scale = min(uintOf(data), 1<<40)
		case mkvDuration:
			switch len(data) {
			case 4:
				dur = float64(math.Float32frombits(binary.BigEndian.Uint32(data)))
			case 8:
				dur = math.Float64frombits(binary.BigEndian.Uint64(data))
			default:
				return 0, 0, noDuration("the WebM duration is damaged")
			}
			if math.IsNaN(dur) || dur < 0 {
				return 0, 0, noDuration("the WebM duration is damaged")
			}
		}
		p = e.end
	}
	return scale, dur, nil
}

// webmTracks counts the tracks and says whether one is video; a codec
// WebM does not allow is refused.
func webmTracks(b []byte, tracks element) (n int, video bool, err error) {
	for p := tracks.start; p < tracks.end; {
		e, ok := next(b, p, tracks.end)
		if !ok || e.unknown {
			return 0, false, unsupported("the WebM tracks are damaged")
		}
		if e.id == mkvTrackEntry {
			codec := ""
			for q := e.start; q < e.end; {
				f, ok := next(b, q, e.end)
				if !ok || f.unknown {
					return 0, false, unsupported("a WebM track is damaged")
				}
				if f.id == mkvCodecID {
					codec = string(b[f.start:f.end])
				}
				q = f.end
			}
			kind, ok := webmCodecs[codec]
			if !ok {
				return 0, false, unsupported("the WebM codec %q is not accepted", codec)
			}
			n++
			video = video || kind == Video
		}
		p = e.end
	}
	return n, video, nil
}
