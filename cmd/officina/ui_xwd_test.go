package main

import (
	"bytes"
	"encoding/binary"
	"image/color"
	"testing"
)

func xwdFile(w, h int, pix func(x, y int) uint32) []byte {
	var hdr [25]uint32
	hdr[0], hdr[1], hdr[2], hdr[3] = 100, 7, 2, 24
	hdr[4], hdr[5] = uint32(w), uint32(h)
	hdr[11], hdr[12] = 32, uint32(w*4)
	hdr[14], hdr[15], hdr[16] = 0xff0000, 0x00ff00, 0x0000ff
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, hdr)
	for y := range h {
		for x := range w {
			binary.Write(&b, binary.LittleEndian, pix(x, y))
		}
	}
	return b.Bytes()
}

func TestDecodeXWD(t *testing.T) {
	data := xwdFile(3, 2, func(x, y int) uint32 { return uint32(x*40)<<16 | uint32(y*100)<<8 | 7 })
	img, err := decodeXWD(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.At(2, 1); got != (color.NRGBA{80, 100, 7, 255}) {
		t.Fatalf("pixel (2,1) = %v", got)
	}
	if _, err := decodeXWD(bytes.NewReader(data[:len(data)-3])); err == nil {
		t.Fatal("truncated dump decoded")
	}
	if _, err := decodeXWD(bytes.NewReader([]byte("not an xwd file at all"))); err == nil {
		t.Fatal("garbage decoded")
	}
}
