package sensor

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// PMFormat is the frame format of a particulate sensor on a UART.
type PMFormat struct {
	Name   string
	Size   int
	header []byte
	parse  func(frame []byte) (Env, error)
}

// SDS011 is the Nova Fitness SDS011 active-mode report (datasheet v1.3,
// "UART communication protocol"): 10 bytes, 9600 8N1, one a second:
//
//	AA C0 PM25lo PM25hi PM10lo PM10hi ID1 ID2 CHK AB
//
// CHK is the low byte of the sum of the six data bytes; values are in
// tenths of µg/m³.
var SDS011 = PMFormat{Name: "sds011", Size: 10, header: []byte{0xAA, 0xC0}, parse: parseSDS011}

// PMS5003 is the Plantower PMS5003 active-mode frame (manual v2.3,
// appendix I): 32 bytes, 9600 8N1:
//
//	42 4D len(2)=28 data1…data13 (2 bytes each, big-endian) check(2)
//
// check is the sum of every byte before it. data4–6 are PM1, PM2.5 and
// PM10 "under atmospheric environment" in µg/m³, the ones to publish.
var PMS5003 = PMFormat{Name: "pms5003", Size: 32, header: []byte{0x42, 0x4D}, parse: parsePMS5003}

// ErrFrame marks a frame that failed its checksum or layout; the decoder
// resynchronises on the next header.
var ErrFrame = errors.New("bad frame")

func parseSDS011(f []byte) (Env, error) {
	if f[9] != 0xAB {
		return Env{}, fmt.Errorf("%w: tail %#02x, want 0xAB", ErrFrame, f[9])
	}
	var sum byte
	for _, b := range f[2:8] {
		sum += b
	}
	if sum != f[8] {
		return Env{}, fmt.Errorf("%w: checksum %#02x, want %#02x", ErrFrame, f[8], sum)
	}
	pm25 := binary.LittleEndian.Uint16(f[2:])
	pm10 := binary.LittleEndian.Uint16(f[4:])
	return Env{PM25: MassConcentration(pm25) * MicrogramPerCubicMetre / 10, PM10: MassConcentration(pm10) * MicrogramPerCubicMetre / 10,
		Has: Set(0).With(PM25, PM10)}, nil
}

func parsePMS5003(f []byte) (Env, error) {
	if n := binary.BigEndian.Uint16(f[2:]); n != 28 {
		return Env{}, fmt.Errorf("%w: length field %d, want 28", ErrFrame, n)
	}
	var sum uint16
	for _, b := range f[:30] {
		sum += uint16(b)
	}
	if got := binary.BigEndian.Uint16(f[30:]); got != sum {
		return Env{}, fmt.Errorf("%w: checksum %#04x, want %#04x", ErrFrame, got, sum)
	}
	word := func(i int) MassConcentration { return MassConcentration(binary.BigEndian.Uint16(f[4+2*(i-1):])) }
	return Env{PM25: word(5) * MicrogramPerCubicMetre, PM10: word(6) * MicrogramPerCubicMetre, Has: Set(0).With(PM25, PM10)}, nil
}

// FrameDecoder reads frames of one format from a byte stream, skipping
// garbage and frames that fail their checksum.
type FrameDecoder struct {
	f   PMFormat
	r   io.Reader
	buf []byte
	// Skipped counts bytes dropped while looking for a frame; BadFrames
	// counts frames that failed validation.
	Skipped, BadFrames int
}

// NewFrameDecoder reads f frames from r.
func NewFrameDecoder(r io.Reader, f PMFormat) *FrameDecoder {
	return &FrameDecoder{f: f, r: r, buf: make([]byte, 0, 4*f.Size)}
}

// Next returns the next valid frame. A read error (an unplugged adapter)
// is returned as is, wrapped.
func (d *FrameDecoder) Next() (Env, error) {
	var tmp [64]byte
	for {
		if i := bytes.Index(d.buf, d.f.header); i > 0 {
			d.Skipped += i
			d.buf = append(d.buf[:0], d.buf[i:]...)
		} else if i < 0 && len(d.buf) > 0 {
			keep := 0
			if d.buf[len(d.buf)-1] == d.f.header[0] {
				keep = 1 // the header may straddle two reads
			}
			d.Skipped += len(d.buf) - keep
			d.buf = append(d.buf[:0], d.buf[len(d.buf)-keep:]...)
		}
		if len(d.buf) >= d.f.Size && bytes.HasPrefix(d.buf, d.f.header) {
			env, err := d.f.parse(d.buf[:d.f.Size])
			if err == nil {
				d.buf = append(d.buf[:0], d.buf[d.f.Size:]...)
				return env, nil
			}
			d.BadFrames++
			d.Skipped++
			d.buf = append(d.buf[:0], d.buf[1:]...)
			continue
		}
		n, err := d.r.Read(tmp[:])
		d.buf = append(d.buf, tmp[:n]...)
		if err != nil && n == 0 {
			return Env{}, fmt.Errorf("sensor: %s: serial read: %w", d.f.Name, err)
		}
	}
}

// PM is a particulate sensor on a serial port. A goroutine decodes the
// frames the sensor sends by itself; Sense returns the first frame newer
// than the last one it returned.
type PM struct {
	f    PMFormat
	port io.ReadCloser
	done chan struct{}

	mu      sync.Mutex
	latest  Env
	seq     uint64 // frames decoded
	taken   uint64 // seq of the last frame returned by Sense
	err     error  // the read error that stopped the decoder
	changed chan struct{}
	dec     *FrameDecoder
	skipped int
	bad     int
}

// NewPM starts decoding f frames from port. Close stops it.
func NewPM(port io.ReadCloser, f PMFormat) *PM {
	p := &PM{f: f, port: port, done: make(chan struct{}), changed: make(chan struct{})}
	p.dec = NewFrameDecoder(port, f)
	go p.read()
	return p
}

func (p *PM) read() {
	defer close(p.done)
	for {
		env, err := p.dec.Next()
		p.mu.Lock()
		p.skipped, p.bad = p.dec.Skipped, p.dec.BadFrames
		if err != nil {
			p.err = err
		} else {
			p.latest, p.seq = env, p.seq+1
		}
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// Sense waits for a fresh frame. If the serial line failed (the adapter
// was unplugged), it returns that error.
func (p *PM) Sense(ctx context.Context) (Env, error) {
	for {
		p.mu.Lock()
		if p.seq > p.taken {
			p.taken = p.seq
			e := p.latest
			p.mu.Unlock()
			return e, nil
		}
		if p.err != nil {
			err := p.err
			p.mu.Unlock()
			return Env{}, err
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Env{}, fmt.Errorf("sensor: %s: no frame: %w", p.f.Name, ctx.Err())
		}
	}
}

// Stats returns how many bytes and frames were dropped as garbage.
func (p *PM) Stats() (skipped, bad int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.skipped, p.bad
}

// Close closes the port and waits for the decoder to stop.
func (p *PM) Close() error {
	err := p.port.Close()
	<-p.done
	return err
}

func (p *PM) String() string { return p.f.Name }
