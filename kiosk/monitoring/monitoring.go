// Package monitoring produces the national monitoring export (the Facilita
// CSV files) for a period, with the two figures a coordinator's targets
// count: services delivered and unique citizens.
//
// Export is a function over a sequence of events, so the kiosk runs it over
// its own store (store.Events) and the hub over the events of all its
// kiosks. Every row is checked against every rule of package facilita
// before it is written; a service that cannot be exported goes to a separate
// report with the reason and the fix, never silently dropped or half filled.
package monitoring

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"runtime"
	"strconv"
	gosync "sync"
	"time"

	"github.com/officina-digitale/officina/kiosk/assistance"
	"github.com/officina-digitale/officina/kiosk/atomicfile"
	"github.com/officina-digitale/officina/kiosk/codicefiscale"
	"github.com/officina-digitale/officina/kiosk/facilita"
	"github.com/officina-digitale/officina/kiosk/people"
	"github.com/officina-digitale/officina/kiosk/seal"
	"github.com/officina-digitale/officina/kiosk/store"
)

// Options say what to export and where.
type Options struct {
	// From and To are the first and last service dates, inclusive.
	From, To time.Time
	// Opener opens the sealed identities; it learns the data keys from the
	// seal.key events in the sequence.
	Opener *seal.Opener
	// Dir receives the files.
	Dir string
	// Prefix names the files; "facilita-FROM-TO" by default.
	Prefix string
}

// Rejected is a service that could not be exported.
type Rejected struct {
	Device          string
	Seq             uint64
	Date            string
	FacilitatorName string
	Problems        []facilita.Problem
}

// Result is what an export wrote and counted.
type Result struct {
	Files          []string   // the CSV files for the platform
	Report         string     // the rejected-services report ("" when none)
	Rows           int        // rows written
	Rejected       []Rejected // services not written, with reasons
	Services       int        // services delivered in the period
	UniqueCitizens int        // distinct citizens among them
}

type eventID struct {
	device string
	seq    uint64
}

// Export writes the Facilita CSV files for the services dated From..To in
// events, which may hold the events of several devices, in any device order
// and with repeats (an event is identified by device and sequence number).
// An error reading the events or writing a file stops the export; the files
// written so far are complete.
func Export(ctx context.Context, events iter.Seq2[store.Event, error], opts Options) (Result, error) {
	var res Result
	if opts.Opener == nil {
		return res, errors.New("monitoring: no export key to open the sealed identities")
	}
	if opts.To.Before(opts.From) {
		return res, fmt.Errorf("monitoring: the period ends (%s) before it starts (%s)", opts.To.Format(time.DateOnly), opts.From.Format(time.DateOnly))
	}
	from, to := opts.From.Format(time.DateOnly), opts.To.Format(time.DateOnly)
	if opts.Prefix == "" {
		opts.Prefix = "facilita-" + from + "-" + to
	}
	w := facilita.NewWriter(opts.Dir, opts.Prefix)
	seen := map[eventID]bool{}
	citizens := map[string]bool{}
	var waiting []*decoded // services under a data key not seen yet
	batch := make([]*decoded, 0, batchSize)

	emit := func(d *decoded, final bool) (bool, error) {
		if d.unknownKey && !final {
			return false, nil
		}
		if d.unknownKey {
			d.row, d.problems, _ = buildRow(d.svc, opts.Opener)
			if len(d.problems) == 0 {
				d.problems = d.row.Check(checkCF)
			}
		}
		if len(d.problems) > 0 {
			res.Rejected = append(res.Rejected, Rejected{Device: d.ev.DeviceID, Seq: d.ev.Seq, Date: d.svc.Date, FacilitatorName: d.svc.FacilitatorName, Problems: d.problems})
			return true, nil
		}
		if err := w.Write(d.row.Record()); err != nil {
			return true, err
		}
		res.Rows++
		return true, nil
	}
	// flush decodes the batch on every core, then emits it in log order.
	flush := func() error {
		decodeAll(batch, opts.Opener, from, to)
		for _, d := range batch {
			if !d.inPeriod {
				continue
			}
			res.Services++
			if d.svc.Citizen != "" {
				citizens[d.svc.Citizen] = true
			}
			done, err := emit(d, false)
			if err != nil {
				return err
			}
			if !done {
				waiting = append(waiting, d)
			}
		}
		batch = batch[:0]
		return nil
	}

	for ev, err := range events {
		if err != nil {
			return res, fmt.Errorf("monitoring: read events: %w", err)
		}
		switch ev.Kind {
		case people.KindSealKey:
			if err := flush(); err != nil {
				return res, err
			}
			var k seal.WrappedKey
			if err := json.Unmarshal(ev.Payload, &k); err != nil {
				return res, fmt.Errorf("monitoring: event %s/%d: %w", ev.DeviceID, ev.Seq, err)
			}
			// A key for another export key is remembered as such by the
			// opener; its services are rejected with that reason.
			_ = opts.Opener.Learn(k)
		case assistance.KindService:
			id := eventID{ev.DeviceID, ev.Seq}
			if seen[id] {
				continue
			}
			seen[id] = true
			batch = append(batch, &decoded{ev: ev})
			if len(batch) == batchSize {
				if err := ctx.Err(); err != nil {
					return res, err
				}
				if err := flush(); err != nil {
					return res, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	for _, d := range waiting {
		if _, err := emit(d, true); err != nil {
			return res, err
		}
	}
	res.UniqueCitizens = len(citizens)
	files, err := w.Close()
	res.Files = files
	if err != nil {
		return res, err
	}
	if len(res.Rejected) > 0 {
		res.Report = filepath.Join(opts.Dir, opts.Prefix+"-rejected.csv")
		if err := writeReport(res.Report, res.Rejected); err != nil {
			return res, err
		}
	}
	return res, nil
}

const batchSize = 1024

// decoded is one service event on its way to a row.
type decoded struct {
	ev         store.Event
	svc        assistance.ServiceEvent
	inPeriod   bool
	row        facilita.Row
	problems   []facilita.Problem
	unknownKey bool
}

// decodeAll decodes, opens and checks a batch on every core. The opener is
// only read meanwhile.
func decodeAll(batch []*decoded, o *seal.Opener, from, to string) {
	workers := min(runtime.GOMAXPROCS(0), 1+len(batch)/64)
	var wg gosync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(batch); i += workers {
				decodeOne(batch[i], o, from, to)
			}
		})
	}
	wg.Wait()
}

func decodeOne(d *decoded, o *seal.Opener, from, to string) {
	if err := decodeService(d.ev.Payload, &d.svc); err != nil {
		d.inPeriod = true // counted, and reported: never silently dropped
		d.problems = []facilita.Problem{{Column: "-", Reason: "the event is damaged: " + err.Error(), Fix: "report it to the Officina maintainers"}}
		return
	}
	if d.svc.Date < from || d.svc.Date > to {
		return
	}
	d.inPeriod = true
	d.row, d.problems, d.unknownKey = buildRow(d.svc, o)
	if len(d.problems) == 0 {
		d.problems = d.row.Check(checkCF)
	}
}

func checkCF(s string) error {
	c, err := codicefiscale.Parse(s)
	if err != nil {
		return err
	}
	if c.String() != s {
		return fmt.Errorf("codice fiscale %q is not in normal form", s)
	}
	return nil
}

// buildRow turns a service event into a row, opening the sealed identity.
func buildRow(svc assistance.ServiceEvent, o *seal.Opener) (facilita.Row, []facilita.Problem, bool) {
	row := facilita.Row{
		FacilitatorID: svc.FacilitatorID, FacilitatorName: svc.FacilitatorName, SiteID: svc.SiteID, SiteName: svc.SiteName,
		Gender: svc.Gender, AgeBand: svc.AgeBand, Education: svc.Education, Employment: svc.Employment,
		Citizenship: svc.Citizenship, Province: svc.Province, FirstTime: svc.FirstTime, UsedBefore: svc.UsedBefore,
		Duration:     time.Duration(svc.Minutes) * time.Minute,
		ServiceTypes: svc.ServiceTypes, Competences: svc.Competences, Domains: svc.Domains, Details: svc.Details,
	}
	d, err := time.Parse(time.DateOnly, svc.Date)
	if err != nil {
		return row, []facilita.Problem{{Column: "SE1", Reason: fmt.Sprintf("date %q is not YYYY-MM-DD", svc.Date), Fix: "report it to the Officina maintainers"}}, false
	}
	row.Date = d
	if svc.Sealed == "" {
		return row, []facilita.Problem{{Column: "AN1", Reason: "the citizen's identity was erased by the retention limit",
			Fix: "this service can no longer be uploaded; it still counts in the totals"}}, false
	}
	b, err := o.Open(svc.Sealed)
	if errors.Is(err, seal.ErrUnknownKey) {
		return row, []facilita.Problem{{Column: "AN3", Reason: "the data key that sealed this identity is missing from the log",
			Fix: "export from a log that holds the kiosk's seal.key events (sync the kiosk first)"}}, true
	}
	if err != nil {
		return row, []facilita.Problem{{Column: "AN3", Reason: "the sealed identity cannot be opened: " + err.Error(),
			Fix: "export with the export key of the hub this kiosk was enrolled with"}}, false
	}
	defer clear(b)
	var id people.Sealed
	if err := decodeSealed(b, &id); err != nil {
		return row, []facilita.Problem{{Column: "AN3", Reason: "the sealed identity is damaged", Fix: "report it to the Officina maintainers"}}, false
	}
	row.FirstName, row.Surname = id.FirstName, id.Surname
	if id.CF != "" {
		row.CF = id.CF
	} else {
		row.NoCF, row.DocType, row.DocNumber = true, id.DocType, id.DocNumber
	}
	return row, nil, false
}

func writeReport(path string, rej []Rejected) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	w.Write([]string{"device", "seq", "date", "facilitator", "column", "problem", "fix"})
	for _, r := range rej {
		for _, p := range r.Problems {
			w.Write([]string{r.Device, strconv.FormatUint(r.Seq, 10), r.Date, r.FacilitatorName, p.Column, p.Reason, p.Fix})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("monitoring: write report: %w", err)
	}
	return nil
}
