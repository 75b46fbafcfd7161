package wire_test

import (
	"bytes"
	"compress/flate"
	"crypto/ed25519"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/officina-digitale/officina/sync/wire"
)

func sample() []wire.Event {
	return []wire.Event{
		{Seq: 41, Kind: "service.recorded", Version: 1, WallMS: 1767225600000, ClockSynced: true, Payload: []byte(`{"se5":9}`)},
		{Seq: 42, Kind: "service.recorded", Version: 1, WallMS: 1767225601500, ClockSynced: true, Payload: []byte(`{"se5":6}`)},
		{Seq: 43, Kind: "consent.given", Version: 2, WallMS: 300000, ClockSynced: false, Payload: nil},
	}
}

func TestBatchRoundTrip(t *testing.T) {
	enc := wire.NewBatchEncoder("ofc-abc")
	enc.ClockMS = 1767225700000
	for _, e := range sample() {
		if err := enc.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	body, err := enc.Finish()
	if err != nil {
		t.Fatal(err)
	}
	b, err := wire.DecodeBatch(body)
	if err != nil {
		t.Fatal(err)
	}
	if b.Device != "ofc-abc" || b.ClockMS != 1767225700000 || len(b.Events) != 3 {
		t.Fatalf("decoded %q with %d events", b.Device, len(b.Events))
	}
	for i, want := range sample() {
		got := b.Events[i]
		if got.Seq != want.Seq || got.Kind != want.Kind || got.Version != want.Version || got.WallMS != want.WallMS ||
			got.ClockSynced != want.ClockSynced || !bytes.Equal(got.Payload, want.Payload) {
			t.Fatalf("event %d: got %+v, want %+v", i, got, want)
		}
	}
}

// A reused encoder (Reset between batches, as an upload does) must give
// each batch exactly the bytes a fresh encoder gives, and must not change
// a batch already returned by Finish.
func TestBatchEncoderResetReusesNothingVisible(t *testing.T) {
	fresh := func(evs []wire.Event, clock int64) []byte {
		enc := wire.NewBatchEncoder("ofc-abc")
		enc.ClockMS = clock
		for _, e := range evs {
			if err := enc.Add(e); err != nil {
				t.Fatal(err)
			}
		}
		body, err := enc.Finish()
		if err != nil {
			t.Fatal(err)
		}
		return body
	}
	second := []wire.Event{
		{Seq: 7, Kind: "consent.given", Version: 2, WallMS: 5, Payload: []byte(`{"x":1}`)},
		{Seq: 8, Kind: "consent.given", Version: 2, WallMS: 9, ClockSynced: true},
	}
	enc := wire.NewBatchEncoder("ofc-abc")
	var bodies [][]byte
	for i, evs := range [][]wire.Event{sample(), second} {
		enc.Reset()
		enc.ClockMS = int64(100 + i)
		for _, e := range evs {
			if err := enc.Add(e); err != nil {
				t.Fatal(err)
			}
		}
		body, err := enc.Finish()
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, body)
	}
	if !bytes.Equal(bodies[0], fresh(sample(), 100)) {
		t.Error("first batch from a reused encoder differs from a fresh encoder's (or was overwritten by the second)")
	}
	if !bytes.Equal(bodies[1], fresh(second, 101)) {
		t.Error("second batch after Reset differs from a fresh encoder's")
	}
	b, err := wire.DecodeBatch(bodies[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Events) != 2 || b.Events[0].Seq != 7 || b.Events[0].Kind != "consent.given" || b.ClockMS != 101 {
		t.Fatalf("second batch decoded as %+v", b)
	}
}

// Decoded payloads share memory (slabs); growing one must not overwrite
// the next event's payload.
func TestDecodedPayloadsDoNotOverlap(t *testing.T) {
	enc := wire.NewBatchEncoder("ofc-abc")
	for _, e := range sample() {
		if err := enc.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	body, err := enc.Finish()
	if err != nil {
		t.Fatal(err)
	}
	b, err := wire.DecodeBatch(body)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(b.Events[0].Payload, "XXXXXXXXXX"...)
	if string(b.Events[1].Payload) != `{"se5":6}` {
		t.Fatalf("second payload changed to %q after appending to the first", b.Events[1].Payload)
	}
}

func TestBatchRefusesGapsAndCorruption(t *testing.T) {
	enc := wire.NewBatchEncoder("d")
	enc.Add(wire.Event{Seq: 1, Kind: "k"})
	if err := enc.Add(wire.Event{Seq: 3, Kind: "k"}); err == nil {
		t.Fatal("encoder accepted a gap in sequence numbers")
	}
	body, _ := enc.Finish()
	for name, bad := range map[string][]byte{
		"truncated": body[:len(body)/2],
		"garbage":   []byte("definitely not deflate"),
		"empty":     nil,
	} {
		if _, err := wire.DecodeBatch(bad); !errors.Is(err, wire.ErrBadBatch) {
			t.Errorf("%s batch: %v, want ErrBadBatch", name, err)
		}
	}
	// A compression bomb stops at the size limit instead of filling memory.
	var bomb bytes.Buffer
	zw, _ := flate.NewWriter(&bomb, flate.BestCompression)
	zw.Write([]byte("OFB1\x01d\x01\xa0\x9c\x01\x00")) // device "d", first 1, 20000 events, clock 0
	zeros := make([]byte, 1<<20)
	for i := 0; i < 40; i++ { // 40 events of 1 MiB each: 40 MiB, over the 32 MiB cap
		if i == 0 {
			zw.Write([]byte("\x01k\x00\x00\x00\x80\x80\x40"))
		} else {
			zw.Write([]byte("\x00\x00\x00\x00\x80\x80\x40"))
		}
		zw.Write(zeros)
	}
	zw.Close()
	_, err := wire.DecodeBatch(bomb.Bytes())
	if !errors.Is(err, wire.ErrBadBatch) || !strings.Contains(err.Error(), "uncompressed") {
		t.Fatalf("compression bomb of %d bytes: %v, want refused at the size limit", bomb.Len(), err)
	}
}

func TestSignatureCoversHeadersAndBody(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	sign := func(m []byte) []byte { return ed25519.Sign(priv, m) }
	body := []byte("payload")
	req, _ := http.NewRequest("POST", "https://hub/v1/events", nil)
	req.Header.Set(wire.HeaderDevice, "ofc-x")
	req.Header.Set(wire.HeaderCounter, "7")
	req.Header.Set(wire.HeaderBacklog, "10")
	wire.Sign(req, body, sign)
	if err := wire.Verify(req, body, pub); err != nil {
		t.Fatal(err)
	}
	if err := wire.Verify(req, []byte("payloaD"), pub); !errors.Is(err, wire.ErrBadSig) {
		t.Fatalf("altered body verified: %v", err)
	}
	req.Header.Set(wire.HeaderBacklog, "0")
	if err := wire.Verify(req, body, pub); !errors.Is(err, wire.ErrBadSig) {
		t.Fatalf("altered header verified: %v", err)
	}
}
