package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math/bits"
)

// decodeXWD reads an X Window Dump in ZPixmap format with true-colour
// pixels, as `xwd -root` writes under Xvfb. `officina screenshots` uses it
// because reading the GL front buffer back is unreliable on software GL.
func decodeXWD(r io.Reader) (image.Image, error) {
	var h [25]uint32
	if err := binary.Read(r, binary.BigEndian, &h); err != nil {
		return nil, fmt.Errorf("xwd: header: %w", err)
	}
	headerSize, version, format := h[0], h[1], h[2]
	width, height := int(h[4]), int(h[5])
	byteOrder, bitsPerPixel, bytesPerLine := h[7], h[11], int(h[12])
	masks := [3]uint32{h[14], h[15], h[16]}
	ncolors := h[19]
	if version != 7 || format != 2 || width <= 0 || height <= 0 || headerSize < 100 {
		return nil, errors.New("xwd: not a version 7 ZPixmap dump")
	}
	if bitsPerPixel != 32 && bitsPerPixel != 24 {
		return nil, fmt.Errorf("xwd: %d bits per pixel is not supported", bitsPerPixel)
	}
	if _, err := io.CopyN(io.Discard, r, int64(headerSize-100)+int64(ncolors)*12); err != nil {
		return nil, fmt.Errorf("xwd: header: %w", err)
	}
	bpp := int(bitsPerPixel / 8)
	if bytesPerLine < width*bpp {
		return nil, errors.New("xwd: line shorter than its pixels")
	}
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	line := make([]byte, bytesPerLine)
	for y := range height {
		if _, err := io.ReadFull(r, line); err != nil {
			return nil, fmt.Errorf("xwd: line %d: %w", y, err)
		}
		for x := range width {
			p := line[x*bpp : x*bpp+bpp]
			var v uint32
			for i := range bpp {
				if byteOrder == 0 { // LSBFirst
					v |= uint32(p[i]) << (8 * i)
				} else {
					v = v<<8 | uint32(p[i])
				}
			}
			var c [3]uint8
			for i, m := range masks {
				if m != 0 {
					c[i] = uint8((v & m) >> bits.TrailingZeros32(m))
				}
			}
			img.SetNRGBA(x, y, color.NRGBA{c[0], c[1], c[2], 255})
		}
	}
	return img, nil
}
