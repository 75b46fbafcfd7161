package sensor

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"testing/iotest"
	"time"

	"github.com/officina-digitale/officina/hardware/internal/ptytest"
	"go.bug.st/serial"
)

// sdsFrame builds an SDS011 report from the datasheet layout.
func sdsFrame(pm25, pm10 float64) []byte {
	a, b := uint16(pm25*10+0.5), uint16(pm10*10+0.5)
	f := []byte{0xAA, 0xC0, byte(a), byte(a >> 8), byte(b), byte(b >> 8), 0x12, 0x34, 0, 0xAB}
	for _, x := range f[2:8] {
		f[8] += x
	}
	return f
}

// pmsFrame builds a PMS5003 frame from the manual's layout.
func pmsFrame(pm25, pm10 uint16) []byte {
	f := make([]byte, 32)
	f[0], f[1], f[3] = 0x42, 0x4D, 28
	words := []uint16{5, pm25 + 1, pm10 + 2, 4, pm25, pm10, 900, 300, 50, 10, 2, 1, 0}
	for i, w := range words {
		f[4+2*i], f[5+2*i] = byte(w>>8), byte(w)
	}
	var sum uint16
	for _, x := range f[:30] {
		sum += uint16(x)
	}
	f[30], f[31] = byte(sum>>8), byte(sum)
	return f
}

func TestSDS011ResyncsAfterGarbage(t *testing.T) {
	bad := sdsFrame(99, 99)
	bad[8]++ // checksum broken
	var stream []byte
	stream = append(stream, 0x00, 0xAA, 0xFF, 0x13) // line noise, a false header byte
	stream = append(stream, sdsFrame(12.3, 20.1)...)
	stream = append(stream, bad...)
	stream = append(stream, 0xAA, 0xC0, 0x01) // a truncated frame
	stream = append(stream, sdsFrame(14.0, 22.5)...)
	// One byte per read, as a slow UART delivers them.
	d := NewFrameDecoder(iotest.OneByteReader(bytes.NewReader(stream)), SDS011)
	for _, want := range [][2]float64{{12.3, 20.1}, {14.0, 22.5}} {
		e, err := d.Next()
		if err != nil {
			t.Fatal(err)
		}
		p25, _ := e.Value(PM25)
		p10, _ := e.Value(PM10)
		if p25 != want[0] || p10 != want[1] {
			t.Errorf("got PM2.5 %v PM10 %v, want %v", p25, p10, want)
		}
	}
	if d.BadFrames == 0 {
		t.Error("the frame with a broken checksum was not counted")
	}
	if _, err := d.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("end of stream: %v", err)
	}
}

func TestPMS5003(t *testing.T) {
	bad := pmsFrame(500, 500)
	bad[31] ^= 1
	stream := append(append(append([]byte("garbage\x42"), bad...), pmsFrame(18, 27)...), pmsFrame(19, 28)...)
	d := NewFrameDecoder(bytes.NewReader(stream), PMS5003)
	e, err := d.Next()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := e.Value(PM25); p != 18 {
		t.Errorf("PM2.5 %v, want 18 (the atmospheric value, data5)", p)
	}
	if p, _ := e.Value(PM10); p != 27 {
		t.Errorf("PM10 %v, want 27", p)
	}
	if d.BadFrames != 1 {
		t.Errorf("bad frames %d, want 1", d.BadFrames)
	}
}

// TestSDS011OverSerialThenUnplugged runs the real serial path (go.bug.st
// opening the port at 9600 8N1 in raw mode) against a pseudo-terminal
// playing the sensor, then pulls the adapter out mid-frame.
func TestSDS011OverSerialThenUnplugged(t *testing.T) {
	master, path := ptytest.Open(t)
	port, err := serial.Open(path, &serial.Mode{BaudRate: 9600})
	if err != nil {
		master.Close()
		t.Skipf("open pty as serial port: %v", err)
	}
	pm := NewPM(port, SDS011)
	defer pm.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	master.Write(append([]byte{0x55, 0x0D, 0x0A}, sdsFrame(8.5, 11.0)...)) // CR LF must pass unchanged
	e, err := pm.Sense(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := e.Value(PM25); p != 8.5 {
		t.Errorf("PM2.5 %v, want 8.5", p)
	}
	master.Write(sdsFrame(9.5, 12.0)[:4])
	master.Close() // unplugged mid-frame
	_, err = pm.Sense(ctx)
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("unplug gave %v, want the serial read error", err)
	}
}
