package media

import (
	"bytes"
	"time"

	mp4 "github.com/abema/go-mp4"
)

// inspectMP4 reads an MP4 or M4A file with go-mp4: its tracks' handlers
// (video when any track is video, else audio), and its duration — the
// longest of the movie header's (mvhd), each track's media header's
// (mdhd), the fragment header's (mehd) and, for fragmented files as
// Safari's MediaRecorder writes them, the fragments' sample durations.
func inspectMP4(b []byte) (info Info, err error) {
	info = Info{MediaType: "audio/mp4", Kind: Audio, Ext: ".m4a"}
	defer func() {
		// go-mp4 is careful, but a parser of hostile bytes must not take
		// the server down with it.
		if r := recover(); r != nil {
			err = unsupported("the MP4 file cannot be read: %v", r)
		}
	}()
	r := bytes.NewReader(b)
	boxes, err := mp4.ExtractBoxesWithPayload(r, nil, []mp4.BoxPath{
		{mp4.BoxTypeMoov(), mp4.BoxTypeMvhd()},
		{mp4.BoxTypeMoov(), mp4.BoxTypeMvex(), mp4.BoxTypeMehd()},
		{mp4.BoxTypeMoov(), mp4.BoxTypeTrak(), mp4.BoxTypeMdia(), mp4.BoxTypeMdhd()},
		{mp4.BoxTypeMoov(), mp4.BoxTypeTrak(), mp4.BoxTypeMdia(), mp4.BoxTypeHdlr()},
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
	)
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
		case *mp4.Mdhd:
			d := uint64(p.DurationV0)
			if p.GetVersion() == 1 {
				d = p.DurationV1
			}
			dur = max(dur, ticks(d, uint64(p.Timescale)))
		case *mp4.Hdlr:
			switch string(p.HandlerType[:]) {
			case "vide":
				video = true
				tracks++
			case "soun":
				tracks++
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
	frag, err := fragmentsDuration(b)
	if err != nil {
		return info, err
	}
	dur = max(dur, frag)
	if dur <= 0 {
		return info, noDuration("the MP4 file has no playing time")
	}
	info.Duration = dur
	return info, nil
}

// fragmentsDuration sums the sample durations of a fragmented file's
// movie fragments, per track; the longest track wins.
func fragmentsDuration(b []byte) (time.Duration, error) {
	if !bytes.Contains(b, []byte("moof")) {
		return 0, nil
	}
	probe, err := mp4.Probe(bytes.NewReader(b))
	if err != nil {
		return 0, noDuration("the MP4 fragments cannot be read: %v", err)
	}
	scales := map[uint32]uint64{}
	for _, t := range probe.Tracks {
		scales[t.TrackID] = uint64(t.Timescale)
	}
	sums := map[uint32]uint64{}
	for _, s := range probe.Segments {
		sums[s.TrackID] += uint64(s.Duration)
	}
	var longest time.Duration
	for id, sum := range sums {
		scale, ok := scales[id]
		if !ok {
			return 0, noDuration("an MP4 fragment names an unknown track")
		}
		longest = max(longest, ticks(sum, scale))
	}
	return longest, nil
}
