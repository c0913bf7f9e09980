package media

import (
	"bytes"
	"encoding/binary"
	"image"
	_ "image/gif" // registers GIF for DecodeConfig
	_ "image/jpeg"
	_ "image/png"
)

var imageExt = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}

// inspectImage checks that an image's header decodes as the type its
// magic bytes claim.
func inspectImage(mediaType string, b []byte) (Info, error) {
	info := Info{MediaType: mediaType, Kind: Image, Ext: imageExt[mediaType]}
	if mediaType == "image/webp" {
		return info, checkWebP(b)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return info, unsupported("the image cannot be read: %v", err)
	}
	if "image/"+format != mediaType || cfg.Width <= 0 || cfg.Height <= 0 {
		return info, unsupported("the image header is not a valid %s", mediaType)
	}
	return info, nil
}

// checkWebP checks the RIFF container of a WebP image: its size field and
// a first chunk that is VP8, VP8L or VP8X.
func checkWebP(b []byte) error {
	if len(b) < 20 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return unsupported("not a WebP image")
	}
	size := uint64(binary.LittleEndian.Uint32(b[4:8]))
	if size+8 > uint64(len(b)) || size < 12 {
		return unsupported("the WebP image is truncated")
	}
	switch string(b[12:16]) {
	case "VP8 ", "VP8L", "VP8X":
	default:
		return unsupported("the WebP image has no image data")
	}
	chunk := uint64(binary.LittleEndian.Uint32(b[16:20]))
	if 20+chunk > size+8 {
		return unsupported("the WebP image is truncated")
	}
	return nil
}
