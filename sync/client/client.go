// Package client is the kiosk's side of sync: it uploads the event log to
// officina-hub in compressed, signed batches (resuming where it stopped and
// never re-sending what was acknowledged), and pulls the versioned state
// that flows down: catalogue blobs (from siblings first, with Range resume),
// staff roster, site settings and notices. Run is its supervised loop.
package client

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/sync/wire"
)

// Dest is the outbox destination name for the hub.
const Dest = "hub"

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Schema is the client's table in the kiosk store; main passes it to
// store.Open.
var Schema = store.MustSchemaFromFS("sync", migrationsFS, "migrations")

// Options configure a Client. Store, Identity and Enrolment are required.
type Options struct {
	Store     *store.Store
	Identity  *identity.Identity
	Enrolment *Enrolment
	HTTP      *http.Client // Enrolment.HTTPClient() by default
	Clock     clock.Clock  // the store's clock by default
	Logger    *slog.Logger
	Version   string // kiosk software version, reported to the hub

	// BatchEvents caps the events per upload request (default 5000).
	BatchEvents int
	// Interval is the pause between syncs when all is well (default 1 min).
	Interval time.Duration
	// MinBackoff and MaxBackoff bound the retry delay after failures
	// (default 2 s and 10 min); the delay doubles with each failure, with
	// jitter.
	MinBackoff, MaxBackoff time.Duration
	// Sleep waits; tests replace it to run an hour of backoff instantly.
	Sleep func(ctx context.Context, d time.Duration) error
	// Trouble, if set, returns a short summary of device trouble for the
	// hub's fleet view ("" when fine).
	Trouble func() string

	// What the downloads are handed to. Any may be nil: that part is then
	// kept only as its version (content) or raw in the sync state.
	Catalogue Catalogue
	Blobs     BlobStore
	Roster    RosterApplier
	Settings  SettingsApplier
	// Siblings, if set, lists the LAN siblings to ask for blobs before
	// the hub (asked at each download: siblings come and go).
	Siblings func() []BlobSource
	// PartialDir keeps interrupted blob downloads for Range resume.
	PartialDir string
	// Relays, if set, lists LAN siblings with an uplink; when the hub
	// cannot be reached at all, the backlog goes through one of them.
	Relays func() []PostFunc
}

// Client syncs one kiosk with its hub.
type Client struct {
	o    Options
	base string

	cmu     sync.Mutex
	counter uint64 // next request counter
	reserve uint64 // counter values below this are reserved on disk

	smu    sync.Mutex
	status Status

	kick chan struct{}
}

// Status is what the kiosk shows staff about sync.
type Status struct {
	LastAttempt time.Time
	LastSuccess time.Time
	LastError   string
	Revoked     bool
	Backlog     uint64
	Failures    int
	NextTry     time.Time
}

// New returns a client.
func New(ctx context.Context, o Options) (*Client, error) {
	if o.Store == nil || o.Identity == nil || o.Enrolment == nil {
		return nil, errors.New("sync: client needs a store, an identity and an enrolment")
	}
	if o.Enrolment.Hub.DeviceID != o.Identity.ID {
		return nil, fmt.Errorf("sync: the enrolment is for %s but this kiosk is %s: enrol again", o.Enrolment.Hub.DeviceID, o.Identity.ID)
	}
	if o.HTTP == nil {
		o.HTTP = o.Enrolment.HTTPClient()
	}
	if o.Clock == nil {
		o.Clock = o.Store.Clock()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.BatchEvents <= 0 {
		o.BatchEvents = 5000
	}
	if o.BatchEvents > wire.MaxBatchEvents {
		o.BatchEvents = wire.MaxBatchEvents
	}
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 2 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Minute
	}
	if o.Sleep == nil {
		o.Sleep = clock.Sleep
	}
	c := &Client{o: o, base: strings.TrimRight(o.Enrolment.HubURL, "/"), kick: make(chan struct{}, 1)}
	hw, err := c.getUint(ctx, "counter_reserved")
	if err != nil {
		return nil, err
	}
	c.counter, c.reserve = hw, hw
	return c, nil
}

// Kick asks Run to sync now (for example after staff press "sync").
func (c *Client) Kick() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// Status returns the latest sync status.
func (c *Client) Status() Status {
	c.smu.Lock()
	defer c.smu.Unlock()
	return c.status
}

// Run syncs until ctx is done: every Interval when all is well, with
// exponential backoff and jitter after failures, honouring Retry-After.
// A revoked kiosk keeps retrying slowly (the coordinator may re-enrol it)
// and reports Revoked in Status.
func (c *Client) Run(ctx context.Context) error {
	failures := 0
	for {
		err := c.SyncOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		delay := c.o.Interval
		if err != nil {
			failures++
			delay = c.backoff(failures)
			var p *wire.Problem
			if errors.As(err, &p) && p.RetryAfter > delay {
				delay = p.RetryAfter
			}
			if errors.Is(err, wire.ErrRevoked) || errors.Is(err, wire.ErrUnknown) {
				delay = max(delay, time.Hour)
			}
			c.o.Logger.Warn("sync failed; will retry", "err", err, "in", delay.Round(time.Second), "failures", failures)
		} else {
			failures = 0
		}
		c.smu.Lock()
		c.status.Failures = failures
		c.status.NextTry = c.o.Clock.Now().Add(delay)
		c.smu.Unlock()
		wctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- c.o.Sleep(wctx, delay) }()
		select {
		case <-c.kick:
			cancel()
			<-done
		case err := <-done:
			cancel()
			if err != nil && ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
}

// backoff is MinBackoff doubled per consecutive failure, capped at
// MaxBackoff, with "equal jitter": between half and all of that.
func (c *Client) backoff(failures int) time.Duration {
	d := c.o.MinBackoff
	for i := 1; i < failures && d < c.o.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.o.MaxBackoff)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// SyncOnce uploads the whole backlog, then pulls what changed.
func (c *Client) SyncOnce(ctx context.Context) error {
	now := c.o.Clock.Now()
	_, upErr := c.Upload(ctx)
	if upErr != nil && wire.StatusOf(upErr) == 0 && c.o.Relays != nil && ctx.Err() == nil {
		// No answer from the hub at all (not an HTTP error): try siblings.
		for _, relay := range c.o.Relays() {
			if _, err := c.UploadVia(ctx, relay); err == nil {
				upErr = nil
				break
			} else {
				c.o.Logger.Warn("relay through sibling failed", "err", err)
			}
		}
	}
	var pullErr error
	if upErr == nil { // a hub that failed the upload would fail the pull too
		_, pullErr = c.Pull(ctx)
	}
	err := errors.Join(upErr, pullErr)
	backlog, _ := c.o.Store.Backlog(ctx, Dest)
	c.smu.Lock()
	c.status.LastAttempt = now
	c.status.Backlog = backlog
	c.status.Revoked = errors.Is(err, wire.ErrRevoked)
	if err == nil {
		c.status.LastSuccess = now
		c.status.LastError = ""
	} else {
		c.status.LastError = err.Error()
	}
	st := c.status
	c.smu.Unlock()
	// Kept on disk (one row, overwritten) so `officina sync status` and a
	// restarted kiosk can show it; a failure to save it is not a sync error.
	if b, jerr := json.Marshal(st); jerr == nil {
		_ = c.set(ctx, "last_result", b)
	}
	return err
}

// LastResult returns the outcome of the last sync recorded in store, from
// any process (zero Status if none).
func LastResult(ctx context.Context, st *store.Store) (Status, error) {
	var s Status
	var b []byte
	err := st.DB().QueryRowContext(ctx, `SELECT value FROM sync_kv WHERE key = 'last_result'`).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("sync: read last result: %w", err)
	}
	return s, json.Unmarshal(b, &s)
}

// maxBatchRaw caps a batch's uncompressed size, so memory stays bounded
// whatever the payloads.
const maxBatchRaw = 4 << 20

// Upload sends every event the hub has not acknowledged, oldest first, in
// batches, and records each acknowledgement. It returns how many events
// the hub newly acknowledged. The next batch is read and compressed while
// the current one is in flight; at most two batches are in memory.
func (c *Client) Upload(ctx context.Context) (uint64, error) {
	return c.upload(ctx, c.postBatch)
}

// PostFunc sends an origin-signed batch somewhere that answers with the
// hub's acknowledgement: the hub itself, or a LAN sibling that relays it.
type PostFunc func(ctx context.Context, batch []byte, batchSig string) (wire.Ack, error)

// UploadVia uploads the backlog through post (a sibling's relay) instead
// of the hub. Acknowledgements are the hub's, so the outbox stays exact.
func (c *Client) UploadVia(ctx context.Context, post PostFunc) (uint64, error) {
	return c.upload(ctx, func(ctx context.Context, body []byte, _ uint64) (wire.Ack, error) {
		return post(ctx, body, wire.BatchSignature(body, c.o.Identity.Sign))
	})
}

func (c *Client) upload(ctx context.Context, post func(ctx context.Context, body []byte, backlog uint64) (wire.Ack, error)) (uint64, error) {
	start, err := c.o.Store.Acked(ctx, Dest)
	if err != nil {
		return 0, err
	}
	cursor := start
	for {
		resend, err := c.uploadFrom(ctx, &cursor, post)
		if err != nil || resend == 0 {
			return cursor - start, err
		}
		cursor = resend - 1
	}
}

type encoded struct {
	body        []byte
	first, last uint64
	err         error
}

// encodeBatches reads the log after cursor and sends compressed batches on
// the returned channel until the log ends, an error, or ctx is done.
func (c *Client) encodeBatches(ctx context.Context, cursor uint64) <-chan encoded {
	out := make(chan encoded) // unbuffered: one encoded batch waits while one is posted
	go func() {
		defer close(out)
		send := func(e encoded) bool {
			select {
			case out <- e:
				return e.err == nil
			case <-ctx.Done():
				return false
			}
		}
		enc := wire.NewBatchEncoder(c.o.Identity.ID)
		for {
			enc.Reset()
			enc.ClockMS = c.o.Clock.Now().UnixMilli()
			for ev, err := range c.o.Store.Events(ctx, cursor) {
				if err != nil {
					send(encoded{err: err})
					return
				}
				if enc.Len() == 0 && ev.Seq != cursor+1 {
					send(encoded{err: fmt.Errorf("sync: the hub needs events from %d but they were pruned locally (first kept is %d); ask the coordinator", cursor+1, ev.Seq)})
					return
				}
				if err := enc.Add(wire.Event{Seq: ev.Seq, Kind: ev.Kind, Version: ev.Version, WallMS: ev.Time.UnixMilli(), ClockSynced: ev.ClockSynced, Payload: ev.Payload}); err != nil {
					send(encoded{err: err})
					return
				}
				if enc.Len() >= c.o.BatchEvents || enc.RawSize() >= maxBatchRaw {
					break
				}
			}
			if enc.Len() == 0 {
				return
			}
			body, err := enc.Finish()
			if err != nil {
				err = fmt.Errorf("sync: encode batch: %w", err)
			}
			if !send(encoded{body: body, first: enc.First(), last: enc.Last(), err: err}) {
				return
			}
			cursor = enc.Last()
		}
	}()
	return out
}

// uploadFrom posts batches after *cursor, advancing it with each ack. It
// returns a non-zero resend point when the hub asks to resend from earlier.
func (c *Client) uploadFrom(ctx context.Context, cursor *uint64, post func(ctx context.Context, body []byte, backlog uint64) (wire.Ack, error)) (uint64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := c.encodeBatches(ctx, *cursor)
	defer func() {
		cancel()
		for range batches { // let the encoder finish
		}
	}()
	for b := range batches {
		if b.err != nil {
			return 0, b.err
		}
		last, _ := c.o.Store.LastSeq(ctx)
		ack, err := post(ctx, b.body, last-*cursor)
		var p *wire.Problem
		if errors.As(err, &p) && p.Type == wire.ProblemGap && p.ResendFrom > 0 {
			c.o.Logger.Warn("hub asks to resend", "from", p.ResendFrom)
			if p.ResendFrom-1 >= *cursor {
				return 0, fmt.Errorf("sync: hub asks to resend from %d, beyond what was sent: %w", p.ResendFrom, err)
			}
			return p.ResendFrom, nil
		}
		if err != nil {
			return 0, err
		}
		if ack.Acked > b.last {
			return 0, fmt.Errorf("sync: hub acknowledged %d, past the last event sent (%d)", ack.Acked, b.last)
		}
		if ack.Acked > *cursor {
			if err := c.o.Store.SetAcked(ctx, Dest, ack.Acked); err != nil {
				return 0, err
			}
			*cursor = ack.Acked
		}
		if ack.Acked < b.last {
			return 0, fmt.Errorf("sync: hub stored only up to %d of batch %d–%d", ack.Acked, b.first, b.last)
		}
	}
	return 0, ctx.Err()
}

// PostBatch sends an already-encoded, origin-signed batch (own or relayed
// for a sibling) and returns the hub's acknowledgement for its device.
func (c *Client) PostBatch(ctx context.Context, body []byte, batchSig string) (wire.Ack, error) {
	return c.post(ctx, body, batchSig, 0)
}

func (c *Client) postBatch(ctx context.Context, body []byte, backlog uint64) (wire.Ack, error) {

	return c.post(ctx, body, wire.BatchSignature(body, c.o.Identity.Sign), backlog)
}

func (c *Client) post(ctx context.Context, body []byte, batchSig string, backlog uint64) (wire.Ack, error) {
	var ack wire.Ack
	resp, err := c.do(ctx, http.MethodPost, wire.PathEvents, body, backlog, func(h http.Header) {
		h.Set("Content-Type", wire.ContentTypeBatch)
		h.Set(wire.HeaderBatchSig, batchSig)
	})
	if err != nil {
		return ack, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ack, wire.ReadProblem(resp)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&ack); err != nil {
		return ack, fmt.Errorf("sync: reading the hub's acknowledgement: %w", err)
	}
	return ack, nil
}

// do sends one signed request. A replayed-counter answer (our counter fell
// behind the hub's, e.g. after restoring a backup) moves the counter far
// ahead and retries once.
func (c *Client) do(ctx context.Context, method, path string, body []byte, backlog uint64, hdr func(http.Header)) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		counter, err := c.nextCounter(ctx, attempt > 0)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		now := c.o.Clock.Now()
		h := req.Header
		h.Set(wire.HeaderDevice, c.o.Identity.ID)
		h.Set(wire.HeaderCounter, strconv.FormatUint(counter, 10))
		h.Set(wire.HeaderClock, strconv.FormatInt(now.UnixMilli(), 10))
		h.Set(wire.HeaderClockSynced, boolStr(c.o.Clock.Synced()))
		h.Set(wire.HeaderBacklog, strconv.FormatUint(backlog, 10))
		if c.o.Version != "" {
			h.Set(wire.HeaderAppVersion, c.o.Version)
		}
		if c.o.Trouble != nil {
			if t := troubleHeader(c.o.Trouble()); t != "" {
				h.Set(wire.HeaderTrouble, t)
			}
		}
		if hdr != nil {
			hdr(h)
		}
		wire.Sign(req, body, c.o.Identity.Sign)
		resp, err := c.o.HTTP.Do(req)
		if err != nil {
			return nil, fmt.Errorf("sync: %s %s: %w", method, path, err)
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			perr := wire.ReadProblem(resp)
			resp.Body.Close()
			if errors.Is(perr, wire.ErrReplayed) {
				continue
			}
			return nil, perr
		}
		return resp, nil
	}
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// counterBlock is how many request counters are reserved per disk write.
const counterBlock = 1000

func (c *Client) nextCounter(ctx context.Context, jump bool) (uint64, error) {
	c.cmu.Lock()
	defer c.cmu.Unlock()
	if jump {
		c.counter += 1 << 32
	}
	if c.counter == 0 {
		c.counter = 1
	}
	if c.counter >= c.reserve {
		r := c.counter + counterBlock
		if err := c.setUint(ctx, "counter_reserved", r); err != nil {
			return 0, err
		}
		c.reserve = r
	}
	n := c.counter
	c.counter++
	return n, nil
}

func (c *Client) getUint(ctx context.Context, key string) (uint64, error) {
	b, err := c.get(ctx, key)
	if err != nil || b == nil {
		return 0, err
	}
	return strconv.ParseUint(string(b), 10, 64)
}

func (c *Client) setUint(ctx context.Context, key string, v uint64) error {
	return c.set(ctx, key, []byte(strconv.FormatUint(v, 10)))
}

func (c *Client) get(ctx context.Context, key string) ([]byte, error) {
	var b []byte
	err := c.o.Store.DB().QueryRowContext(ctx, `SELECT value FROM sync_kv WHERE key = ?`, key).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sync: read state %s: %w", key, err)
	}
	return b, nil
}

func (c *Client) set(ctx context.Context, key string, v []byte) error {
	err := c.o.Store.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO sync_kv(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, v)
		return err
	})
	if err != nil {
		return fmt.Errorf("sync: save state %s: %w", key, err)
	}
	return nil
}

// maxTrouble bounds the device-trouble header: the fleet view shows one line.
const maxTrouble = 500

// troubleHeader makes a trouble summary safe as a header value: control
// characters (an error message may hold a newline, which would make the
// request fail) become spaces, and it is cut at maxTrouble bytes on a
// character boundary.
func troubleHeader(t string) string {
	b := []byte(strings.TrimSpace(t))
	for i, c := range b {
		if c < 0x20 || c == 0x7f {
			b[i] = ' '
		}
	}
	if len(b) <= maxTrouble {
		return string(b)
	}
	cut := maxTrouble - len("…")
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut]) + "…"
}
