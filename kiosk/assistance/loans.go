package assistance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/people"
	"github.com/officina-digitale/officina/kiosk/store"
)

// Loan event kinds.
const (
	KindLoanOut  = "loan.out"
	KindLoanBack = "loan.back"
)

// LoanEvent is the payload of loan events.
type LoanEvent struct {
	Device  string    `json:"device"`
	Citizen string    `json:"citizen,omitempty"`
	Staff   string    `json:"staff"`
	Due     time.Time `json:"due,omitzero"`
	Out     uint64    `json:"out,omitempty"` // on loan.back: seq of the loan.out
}

// Loan is a device lent to a citizen.
type Loan struct {
	Seq     uint64
	Device  string
	Citizen string
	Staff   string
	Out     time.Time
	Due     time.Time
	Back    time.Time // zero while out
	Overdue bool
}

// Loan errors.
var (
	ErrDeviceOut    = errors.New("assistance: this device is already lent out")
	ErrDeviceNotOut = errors.New("assistance: this device is not lent out")
)

// MaxLoan is the longest loan.
const MaxLoan = 14 * 24 * time.Hour

// LendDevice lends a device to the citizen whose card was scanned, for d.
func (d *Desk) LendDevice(ctx context.Context, device string, borrower people.Person, staffID string, dur time.Duration) (Loan, error) {
	device = strings.ToUpper(strings.TrimSpace(device))
	if device == "" {
		return Loan{}, inputErr("device", "which device? give its label, e.g. TAB-03")
	}
	if dur <= 0 || dur > MaxLoan {
		return Loan{}, inputErr("duration", "a loan lasts from a minute to %d days", int(MaxLoan.Hours()/24))
	}
	if _, err := d.activeStaff(ctx, staffID); err != nil {
		return Loan{}, err
	}
	citizen, err := d.people.PseudonymOnly(borrower)
	if err != nil {
		return Loan{}, err
	}
	var l Loan
	err = d.st.Write(ctx, func(tx *store.Tx) error {
		var one int
		err := tx.QueryRow(`SELECT 1 FROM loans WHERE device = ? AND back_ms = 0`, device).Scan(&one)
		if err == nil {
			return fmt.Errorf("%w: %s", ErrDeviceOut, device)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := tx.Now()
		due := now.Add(dur)
		ev, err := tx.AppendJSON(KindLoanOut, 1, LoanEvent{Device: device, Citizen: citizen, Staff: staffID, Due: due.UTC()})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO loans(seq, device, citizen, staff, out_ms, due_ms) VALUES(?, ?, ?, ?, ?, ?)`,
			int64(ev.Seq), device, citizen, staffID, now.UnixMilli(), due.UnixMilli()); err != nil {
			return fmt.Errorf("assistance: lend %s: %w", device, err)
		}
		l = Loan{Seq: ev.Seq, Device: device, Citizen: citizen, Staff: staffID, Out: now, Due: due}
		return nil
	})
	return l, err
}

// ReturnDevice records that a lent device came back.
func (d *Desk) ReturnDevice(ctx context.Context, device, staffID string) (Loan, error) {
	device = strings.ToUpper(strings.TrimSpace(device))
	if _, err := d.activeStaff(ctx, staffID); err != nil {
		return Loan{}, err
	}
	var l Loan
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		var seq, out, due int64
		err := tx.QueryRow(`SELECT seq, citizen, out_ms, due_ms FROM loans WHERE device = ? AND back_ms = 0`, device).Scan(&seq, &l.Citizen, &out, &due)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %s", ErrDeviceNotOut, device)
		}
		if err != nil {
			return err
		}
		if _, err := tx.AppendJSON(KindLoanBack, 1, LoanEvent{Device: device, Staff: staffID, Out: uint64(seq)}); err != nil {
			return err
		}
		now := tx.Now()
		if _, err := tx.Exec(`UPDATE loans SET back_ms = ? WHERE seq = ?`, now.UnixMilli(), seq); err != nil {
			return err
		}
		l.Seq, l.Device, l.Staff, l.Out, l.Due, l.Back = uint64(seq), device, staffID, time.UnixMilli(out), time.UnixMilli(due), now
		l.Overdue = now.After(l.Due)
		return nil
	})
	return l, err
}

// Loans lists the devices out now, overdue ones first.
func (d *Desk) Loans(ctx context.Context) ([]Loan, error) {
	now := d.st.Clock().Now()
	rows, err := d.st.DB().QueryContext(ctx, `SELECT seq, device, citizen, staff, out_ms, due_ms FROM loans
		WHERE back_ms = 0 ORDER BY due_ms`)
	if err != nil {
		return nil, fmt.Errorf("assistance: list loans: %w", err)
	}
	defer rows.Close()
	var out []Loan
	for rows.Next() {
		var l Loan
		var seq, o, due int64
		if err := rows.Scan(&seq, &l.Device, &l.Citizen, &l.Staff, &o, &due); err != nil {
			return nil, err
		}
		l.Seq, l.Out, l.Due = uint64(seq), time.UnixMilli(o), time.UnixMilli(due)
		l.Overdue = now.After(l.Due)
		out = append(out, l)
	}
	return out, rows.Err()
}
