package wire

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A batch is a run of one device's events with contiguous sequence numbers,
// in this layout, then DEFLATE-compressed (RFC 1951):
//
//	"OFB1"
//	uvarint len(device) | device
//	uvarint first seq | uvarint count
//	varint  origin's wall clock when the batch was made, Unix ms (0: unknown)
//	per event:
//	  uvarint len(kind) | kind      (0 = same kind as the previous event)
//	  uvarint version
//	  varint  wall ms minus the previous event's (the first: minus 0)
//	  byte    1 if the clock was synced, else 0
//	  uvarint len(payload) | payload
//
// Kinds repeat and timestamps climb slowly, so the encoding is small before
// compression and compresses well.
const batchMagic = "OFB1"

// Limits that keep a hostile or corrupt batch from exhausting the hub.
const (
	MaxBatchEvents     = 20000
	MaxBatchRawBytes   = 32 << 20
	MaxEventPayload    = 1 << 20
	MaxBatchCompressed = 16 << 20
)

// BatchEncoder builds one compressed batch in memory. Keep batches bounded
// (a few thousand events).
type BatchEncoder struct {
	// ClockMS is the origin's wall clock at encoding, Unix ms. The hub
	// derives the clock offset of a relayed batch from it.
	ClockMS  int64
	device   string
	first    uint64
	next     uint64
	count    int
	lastKind string
	lastMS   int64
	raw      int
	body     bytes.Buffer // uncompressed events (header is written at Finish)
	hdr      bytes.Buffer
	zw       *flate.Writer // kept across Reset: a new one allocates ~1 MB
	tmp      [binary.MaxVarintLen64]byte
}

// NewBatchEncoder starts a batch for device.
func NewBatchEncoder(device string) *BatchEncoder { return &BatchEncoder{device: device} }

// Reset empties the encoder for the next batch of the same device, keeping
// its buffers and its compressor, so a long upload does not allocate a
// compressor and a growing buffer per batch.
func (b *BatchEncoder) Reset() {
	b.ClockMS, b.first, b.next, b.count, b.lastKind, b.lastMS, b.raw = 0, 0, 0, 0, "", 0, 0
	b.body.Reset()
}

// Add appends an event. Sequence numbers must be contiguous.
func (b *BatchEncoder) Add(e Event) error {
	if b.count == 0 {
		b.first, b.next = e.Seq, e.Seq
	}
	if e.Seq != b.next {
		return fmt.Errorf("wire: batch: event %d after %d: sequence numbers must be contiguous", e.Seq, b.next-1)
	}
	if len(e.Payload) > MaxEventPayload {
		return fmt.Errorf("wire: batch: event %d payload is %d bytes, over the %d limit", e.Seq, len(e.Payload), MaxEventPayload)
	}
	if e.Kind == "" {
		return fmt.Errorf("wire: batch: event %d has no kind", e.Seq)
	}
	start := b.body.Len()
	if e.Kind == b.lastKind {
		b.uvarint(0)
	} else {
		b.uvarint(uint64(len(e.Kind)))
		b.body.WriteString(e.Kind)
		b.lastKind = e.Kind
	}
	b.uvarint(uint64(e.Version))
	n := binary.PutVarint(b.tmp[:], e.WallMS-b.lastMS)
	b.body.Write(b.tmp[:n])
	b.lastMS = e.WallMS
	if e.ClockSynced {
		b.body.WriteByte(1)
	} else {
		b.body.WriteByte(0)
	}
	b.uvarint(uint64(len(e.Payload)))
	b.body.Write(e.Payload)
	b.raw += b.body.Len() - start
	b.count++
	b.next++
	return nil
}

func (b *BatchEncoder) uvarint(v uint64) {
	n := binary.PutUvarint(b.tmp[:], v)
	b.body.Write(b.tmp[:n])
}

// Len returns the number of events added.
func (b *BatchEncoder) Len() int { return b.count }

// RawSize returns the uncompressed size of the events added so far.
func (b *BatchEncoder) RawSize() int { return b.raw }

// First and Last return the batch's sequence range (valid when Len > 0).
func (b *BatchEncoder) First() uint64 { return b.first }
func (b *BatchEncoder) Last() uint64  { return b.next - 1 }

// Finish compresses the batch and returns its bytes.
func (b *BatchEncoder) Finish() ([]byte, error) {
	// The result is handed to the caller, so it is a fresh buffer; sized
	// for the ~10:1 ratio demo records compress at.
	out := bytes.NewBuffer(make([]byte, 0, b.body.Len()/8+64))
	if b.zw == nil {
		zw, err := flate.NewWriter(out, flate.DefaultCompression)
		if err != nil {
			return nil, err
		}
		b.zw = zw
	} else {
		b.zw.Reset(out)
	}
	zw := b.zw
	hdr := &b.hdr
	hdr.Reset()
	hdr.WriteString(batchMagic)
	put := func(v uint64) {
		n := binary.PutUvarint(b.tmp[:], v)
		hdr.Write(b.tmp[:n])
	}
	put(uint64(len(b.device)))
	hdr.WriteString(b.device)
	put(b.first)
	put(uint64(b.count))
	n := binary.PutVarint(b.tmp[:], b.ClockMS)
	hdr.Write(b.tmp[:n])
	if _, err := zw.Write(hdr.Bytes()); err != nil {
		return nil, err
	}
	if _, err := zw.Write(b.body.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Batch is a decoded batch.
type Batch struct {
	Device  string
	ClockMS int64 // origin's wall clock when encoded; 0 if unknown
	Events  []Event
}

// DecodeBatch decompresses and parses a batch, refusing anything malformed
// or over the limits. Errors wrap ErrBadBatch.
func DecodeBatch(compressed []byte) (*Batch, error) {
	if len(compressed) > MaxBatchCompressed {
		return nil, fmt.Errorf("%w: %d bytes compressed, over the limit", ErrBadBatch, len(compressed))
	}
	zr := flate.NewReader(bytes.NewReader(compressed))
	defer zr.Close()
	lr := &io.LimitedReader{R: zr, N: MaxBatchRawBytes + 1}
	r := bufio.NewReader(lr)
	bad := func(what string, err error) (*Batch, error) {
		if lr.N <= 0 {
			return nil, fmt.Errorf("%w: over %d bytes uncompressed", ErrBadBatch, MaxBatchRawBytes)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadBatch, what, err)
		}
		return nil, fmt.Errorf("%w: %s", ErrBadBatch, what)
	}
	magic := make([]byte, 4)
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != batchMagic {
		return bad("not an officina batch", err)
	}
	readStr := func(max uint64) (string, error) {
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return "", err
		}
		if n > max {
			return "", errors.New("string too long")
		}
		s := make([]byte, n)
		if _, err := io.ReadFull(r, s); err != nil {
			return "", err
		}
		return string(s), nil
	}
	device, err := readStr(128)
	if err != nil {
		return bad("device", err)
	}
	first, err := binary.ReadUvarint(r)
	if err != nil {
		return bad("first seq", err)
	}
	count, err := binary.ReadUvarint(r)
	if err != nil {
		return bad("count", err)
	}
	clockMS, err := binary.ReadVarint(r)
	if err != nil {
		return bad("clock", err)
	}
	if count > MaxBatchEvents {
		return bad(fmt.Sprintf("%d events, over the %d limit", count, MaxBatchEvents), nil)
	}
	if first == 0 && count > 0 {
		return bad("sequence numbers start at 1", nil)
	}
	b := &Batch{Device: device, ClockMS: clockMS, Events: make([]Event, 0, count)}
	var kind string
	var ms int64
	var slab []byte
	for i := uint64(0); i < count; i++ {
		k, err := readStr(256)
		if err != nil {
			return bad(fmt.Sprintf("event %d kind", first+i), err)
		}
		if k != "" {
			kind = k
		} else if kind == "" {
			return bad(fmt.Sprintf("event %d has no kind", first+i), nil)
		}
		ver, err := binary.ReadUvarint(r)
		if err != nil {
			return bad(fmt.Sprintf("event %d version", first+i), err)
		}
		d, err := binary.ReadVarint(r)
		if err != nil {
			return bad(fmt.Sprintf("event %d time", first+i), err)
		}
		ms += d
		flag, err := r.ReadByte()
		if err != nil || flag > 1 {
			return bad(fmt.Sprintf("event %d clock flag", first+i), err)
		}
		n, err := binary.ReadUvarint(r)
		if err != nil || n > MaxEventPayload {
			return bad(fmt.Sprintf("event %d payload length", first+i), err)
		}
		// Payloads are carved out of shared 64 KiB slabs: one allocation
		// per few hundred events instead of one per event. The capacity
		// is capped so an append to one payload cannot touch the next.
		if uint64(cap(slab)-len(slab)) < n {
			slab = make([]byte, 0, max(64<<10, int(n)))
		}
		end := len(slab) + int(n)
		p := slab[len(slab):end:end]
		slab = slab[:end]
		if _, err := io.ReadFull(r, p); err != nil {
			return bad(fmt.Sprintf("event %d payload", first+i), err)
		}
		b.Events = append(b.Events, Event{Seq: first + i, Kind: kind, Version: int(ver), WallMS: ms, ClockSynced: flag == 1, Payload: p})
	}
	if _, err := r.ReadByte(); err != io.EOF {
		return bad("trailing bytes after the last event", nil)
	}
	return b, nil
}
