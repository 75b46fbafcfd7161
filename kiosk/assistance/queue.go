package assistance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/store"
)

// Queue event kinds.
const (
	KindTicketTaken  = "ticket.taken"
	KindTicketCalled = "ticket.called"
	KindTicketDone   = "ticket.done"
)

// TicketEvent is the payload of every ticket event.
type TicketEvent struct {
	Day    string `json:"day"`
	Number int    `json:"number"`
	Staff  string `json:"staff,omitempty"`
	// Topic is the guide the citizen asked about (on ticket.taken only).
	Topic string `json:"topic,omitempty"`
}

// Ticket states.
const (
	Waiting = "waiting"
	Called  = "called"
	Done    = "done"
)

// DefaultServiceTime is the wait per person ahead before any ticket has
// been served today.
const DefaultServiceTime = 10 * time.Minute

// Ticket is a queue ticket as the screen shows it.
type Ticket struct {
	Day    string
	Number int
	State  string
	Taken  time.Time
	Called time.Time
	Staff  string
	// Topic is the guide the citizen asked about ("" for none).
	Topic string
	// Ahead is how many are waiting before this one; Wait is the estimate.
	Ahead int
	Wait  time.Duration
}

// ErrQueueEmpty means nobody is waiting.
var ErrQueueEmpty = errors.New("assistance: nobody is waiting")

// TakeTicket issues the next number of the day, with the people ahead and
// an estimated wait.
func (d *Desk) TakeTicket(ctx context.Context) (Ticket, error) { return d.TakeTicketAbout(ctx, "") }

// TakeTicketAbout is TakeTicket for a citizen who asked about a guide
// (its ID); the ticket keeps the topic for whoever calls it.
func (d *Desk) TakeTicketAbout(ctx context.Context, topic string) (Ticket, error) {
	topic = strings.TrimSpace(topic)
	if len(topic) > 200 {
		return Ticket{}, inputErr("topic", "the topic %q… is too long", topic[:20])
	}
	day := d.dayOf(d.st.Clock().Now())
	var t Ticket
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COALESCE(MAX(number), 0) + 1 FROM tickets WHERE day = ?`, day).Scan(&n); err != nil {
			return err
		}
		if _, err := tx.AppendJSON(KindTicketTaken, 1, TicketEvent{Day: day, Number: n, Topic: topic}); err != nil {
			return err
		}
		now := tx.Now()
		if _, err := tx.Exec(`INSERT INTO tickets(day, number, state, taken_ms, topic) VALUES(?, ?, ?, ?, ?)`, day, n, Waiting, now.UnixMilli(), topic); err != nil {
			return fmt.Errorf("assistance: take ticket: %w", err)
		}
		t = Ticket{Day: day, Number: n, State: Waiting, Taken: now, Topic: topic}
		return d.estimate(tx, &t)
	})
	return t, err
}

// estimate fills Ahead and Wait: people waiting before t, times the mean
// service time of today's served tickets, divided by the staff serving
// today.
func (d *Desk) estimate(tx *store.Tx, t *Ticket) error {
	var ahead, servers int
	var mean sql.NullFloat64
	err := tx.QueryRow(`SELECT
			(SELECT COUNT(*) FROM tickets WHERE day = ?1 AND state = 'waiting' AND number < ?2),
			(SELECT AVG(done_ms - called_ms) FROM (SELECT done_ms, called_ms FROM tickets
				WHERE day = ?1 AND state = 'done' ORDER BY number DESC LIMIT 20)),
			(SELECT COUNT(DISTINCT staff) FROM tickets WHERE day = ?1 AND staff != '')`, t.Day, t.Number).
		Scan(&ahead, &mean, &servers)
	if err != nil {
		return fmt.Errorf("assistance: estimate wait: %w", err)
	}
	per := DefaultServiceTime
	if mean.Valid && mean.Float64 > 0 {
		per = time.Duration(mean.Float64) * time.Millisecond
	}
	if servers < 1 {
		servers = 1
	}
	t.Ahead = ahead
	t.Wait = (time.Duration(ahead+1) * per / time.Duration(servers)).Round(time.Minute)
	return nil
}

// CallNext marks the facilitator's current ticket done, if any, and calls
// the lowest waiting number.
func (d *Desk) CallNext(ctx context.Context, staffID string) (Ticket, error) {
	if _, err := d.activeStaff(ctx, staffID); err != nil {
		return Ticket{}, err
	}
	day := d.dayOf(d.st.Clock().Now())
	var t Ticket
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		if err := d.finish(tx, day, staffID); err != nil {
			return err
		}
		var taken int64
		err := tx.QueryRow(`SELECT number, taken_ms, topic FROM tickets WHERE day = ? AND state = 'waiting' ORDER BY number LIMIT 1`, day).Scan(&t.Number, &taken, &t.Topic)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrQueueEmpty
		}
		if err != nil {
			return err
		}
		if _, err := tx.AppendJSON(KindTicketCalled, 1, TicketEvent{Day: day, Number: t.Number, Staff: staffID}); err != nil {
			return err
		}
		now := tx.Now()
		if _, err := tx.Exec(`UPDATE tickets SET state = 'called', called_ms = ?, staff = ? WHERE day = ? AND number = ?`,
			now.UnixMilli(), staffID, day, t.Number); err != nil {
			return err
		}
		t.Day, t.State, t.Taken, t.Called, t.Staff = day, Called, time.UnixMilli(taken), now, staffID
		return nil
	})
	return t, err
}

// FinishTicket marks the facilitator's called ticket done (at the end of
// the day, or when the last citizen leaves).
func (d *Desk) FinishTicket(ctx context.Context, staffID string) error {
	day := d.dayOf(d.st.Clock().Now())
	return d.st.Write(ctx, func(tx *store.Tx) error { return d.finish(tx, day, staffID) })
}

func (d *Desk) finish(tx *store.Tx, day, staffID string) error {
	rows, err := tx.Query(`SELECT number FROM tickets WHERE day = ? AND state = 'called' AND staff = ?`, day, staffID)
	if err != nil {
		return err
	}
	var nums []int
	for rows.Next() {
		var n int
		rows.Scan(&n)
		nums = append(nums, n)
	}
	rows.Close()
	for _, n := range nums {
		if _, err := tx.AppendJSON(KindTicketDone, 1, TicketEvent{Day: day, Number: n, Staff: staffID}); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE tickets SET state = 'done', done_ms = ? WHERE day = ? AND number = ?`, tx.Now().UnixMilli(), day, n); err != nil {
			return err
		}
	}
	return nil
}

// Queue lists today's waiting and called tickets, lowest number first, each
// with its wait estimate.
func (d *Desk) Queue(ctx context.Context) ([]Ticket, error) {
	day := d.dayOf(d.st.Clock().Now())
	var out []Ticket
	// Estimates read inside a transaction so they see a consistent queue.
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT number, state, taken_ms, called_ms, staff, topic FROM tickets
			WHERE day = ? AND state IN ('waiting', 'called') ORDER BY number`, day)
		if err != nil {
			return err
		}
		for rows.Next() {
			t := Ticket{Day: day}
			var taken, called int64
			if err := rows.Scan(&t.Number, &t.State, &taken, &called, &t.Staff, &t.Topic); err != nil {
				rows.Close()
				return err
			}
			t.Taken = time.UnixMilli(taken)
			if called != 0 {
				t.Called = time.UnixMilli(called)
			}
			out = append(out, t)
		}
		rows.Close()
		for i := range out {
			if out[i].State == Waiting {
				if err := d.estimate(tx, &out[i]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}
