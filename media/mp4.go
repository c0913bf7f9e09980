package media

import (
	"bytes"
	"encoding/binary"
	"time"

	mp4 "github.com/abema/go-mp4"
)

// inspectMP4 reads an MP4 or M4A file with go-mp4's box reader: its tracks'
// handlers (video when any track is video, else audio) and its duration —
// the longest of the movie header's (mvhd), each track's media header's
// (mdhd), the fragment header's (mehd), and each track's own samples: the
// sample table (stts) and any movie fragments (trun, as Safari's
// MediaRecorder writes them). Headers that claim less than the samples
// hold never shorten a file. Sample counts are multiplied, never expanded
// (go-mp4's Probe expands them into a slice: a lying count would allocate
// without bound).
func inspectMP4(b []byte) (info Info, err error) {
	info = Info{MediaType: "audio/mp4", Kind: Audio, Ext: ".m4a"}
	if err := checkTopBoxes(b); err != nil {
		return info, err
	}
	defer func() {
		// go-mp4 is careful, but a parser of hostile bytes must not take
		// the server down with it.
		if r := recover(); r != nil {
			err = unsupported("the MP4 file cannot be read: %v", r)
		}
	}()
	trak := []mp4.BoxType{mp4.BoxTypeMoov(), mp4.BoxTypeTrak()}
	mdia := append(trak[:2:2], mp4.BoxTypeMdia())
	traf := []mp4.BoxType{mp4.BoxTypeMoof(), mp4.BoxTypeTraf()}
	boxes, err := mp4.ExtractBoxesWithPayload(bytes.NewReader(b), nil, []mp4.BoxPath{
		{mp4.BoxTypeMoov(), mp4.BoxTypeMvhd()},
		{mp4.BoxTypeMoov(), mp4.BoxTypeMvex(), mp4.BoxTypeMehd()},
		append(trak[:2:2], mp4.BoxTypeTkhd()),
		append(mdia[:3:3], mp4.BoxTypeMdhd()),
		append(mdia[:3:3], mp4.BoxTypeHdlr()),
		append(mdia[:3:3], mp4.BoxTypeMinf(), mp4.BoxTypeStbl(), mp4.BoxTypeStts()),
		append(traf[:2:2], mp4.BoxTypeTfhd()),
		append(traf[:2:2], mp4.BoxTypeTrun()),
	})
	if err != nil {
		return info, unsupported("the MP4 file cannot be read: %v", err)
	}
	var (
		movieScale uint64
		dur        time.Duration
		mehd       uint64
		tracks     int
		video      bool
		track      uint32 // the trak being read
		fragTrack  uint32 // the traf being read
		fragDelta  uint64 // its default sample duration
		scales     = map[uint32]uint64{}
		samples    = map[uint32]uint64{} // per track, in its timescale
	)
	add := func(id uint32, n uint64) {
		samples[id] = min(samples[id]+min(n, 1<<60), 1<<61)
	}
	for _, bx := range boxes {
		switch p := bx.Payload.(type) {
		case *mp4.Mvhd:
			movieScale = uint64(p.Timescale)
			dur = max(dur, ticks(p.GetDuration(), movieScale))
		case *mp4.Mehd:
			if p.GetVersion() == 0 {
				mehd = uint64(p.FragmentDurationV0)
			} else {
				mehd = p.FragmentDurationV1
			}
		case *mp4.Tkhd:
			track = p.TrackID
		case *mp4.Mdhd:
			d := uint64(p.DurationV0)
			if p.GetVersion() == 1 {
				d = p.DurationV1
			}
			scales[track] = uint64(p.Timescale)
			dur = max(dur, ticks(d, uint64(p.Timescale)))
		case *mp4.Hdlr:
			switch string(p.HandlerType[:]) {
			case "vide":
				video = true
				tracks++
			case "soun":
				tracks++
			}
		case *mp4.Stts:
			for _, e := range p.Entries {
				add(track, uint64(e.SampleCount)*uint64(e.SampleDelta))
			}
		case *mp4.Tfhd:
			fragTrack, fragDelta = p.TrackID, 0
			if p.GetFlags()&mp4.TfhdDefaultSampleDurationPresent != 0 {
				fragDelta = uint64(p.DefaultSampleDuration)
			}
		case *mp4.Trun:
			if p.GetFlags()&0x000100 != 0 { // per-sample durations
				for _, e := range p.Entries {
					add(fragTrack, uint64(e.SampleDuration))
				}
			} else {
				add(fragTrack, uint64(p.SampleCount)*fragDelta)
			}
		}
	}
	if movieScale == 0 {
		return info, noDuration("the MP4 file has no movie header")
	}
	if tracks == 0 {
		return info, unsupported("the MP4 file has no audio or video track")
	}
	if video {
		info.MediaType, info.Kind, info.Ext = "video/mp4", Video, ".mp4"
	}
	dur = max(dur, ticks(mehd, movieScale))
	for id, n := range samples {
		scale, ok := scales[id]
		if !ok {
			return info, noDuration("MP4 samples name an unknown track")
		}
		dur = max(dur, ticks(n, scale))
	}
	if dur <= 0 {
		return info, noDuration("the MP4 file has no playing time")
	}
	info.Duration = dur
	return info, nil
}

// checkTopBoxes walks the file's top-level boxes: they must tile it
// exactly (a box running past the end is a damaged or lying file).
func checkTopBoxes(b []byte) error {
	for p := 0; p < len(b); {
		if len(b)-p < 8 {
			return unsupported("the MP4 file ends inside a box header")
		}
		size := uint64(binary.BigEndian.Uint32(b[p:]))
		switch size {
		case 0: // to the end of the file
			size = uint64(len(b) - p)
		case 1:
			if len(b)-p < 16 {
				return unsupported("the MP4 file ends inside a box header")
			}
			size = binary.BigEndian.Uint64(b[p+8:])
		}
		if size < 8 || size > uint64(len(b)-p) {
			return unsupported("an MP4 box runs past the end of the file")
		}
		p += int(size)
	}
	return nil
}
