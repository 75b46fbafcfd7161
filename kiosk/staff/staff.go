// Package staff is the kiosk's roster of facilitators, volunteers and
// coordinators, and their login with a card plus a PIN.
//
// PINs are stored as PBKDF2-SHA256 hashes with a per-PIN salt. After
// MaxFailures wrong PINs in a row a card is locked for LockFor. A PIN of 4–8
// digits is a small space, so the lockout, not the hash, is what stops
// guessing at the kiosk; the hash keeps a copied database from giving the
// PINs away at a glance.
package staff

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the package's tables.
var Schema = store.MustSchemaFromFS("staff", migrations, "migrations")

// Roles.
const (
	Facilitator = "facilitator"
	Volunteer   = "volunteer"
	Coordinator = "coordinator"
)

// Lockout policy.
const (
	MaxFailures = 5
	LockFor     = 5 * time.Minute
)

// DefaultIterations is the PBKDF2 work factor for new PIN hashes.
const DefaultIterations = 100_000

// Event kinds.
const (
	KindLogin  = "staff.login"  // payload LoginEvent
	KindLocked = "staff.locked" // payload LockedEvent
)

// LoginEvent records a successful login.
type LoginEvent struct {
	Staff string `json:"staff"`
}

// LockedEvent records a card locked after too many wrong PINs.
type LockedEvent struct {
	Staff string    `json:"staff"`
	Until time.Time `json:"until"`
}

// Errors.
var (
	ErrUnknownCard = errors.New("staff: this card is not on the staff roster")
	ErrNotOnRoster = errors.New("staff: not on the roster")
	ErrWrongPIN    = errors.New("staff: wrong PIN")
	ErrLocked      = errors.New("staff: card locked after too many wrong PINs")
)

// LoginError carries what the login screen shows: attempts left, or when
// the lock ends.
type LoginError struct {
	Err          error // ErrWrongPIN or ErrLocked
	AttemptsLeft int
	LockedUntil  time.Time
}

func (e *LoginError) Error() string {
	if errors.Is(e.Err, ErrLocked) {
		return fmt.Sprintf("%v until %s", e.Err, e.LockedUntil.Format("15:04"))
	}
	return fmt.Sprintf("%v: %d attempts left", e.Err, e.AttemptsLeft)
}

func (e *LoginError) Unwrap() error { return e.Err }

// Member is one person on the roster.
type Member struct {
	ID     string // IDFacilitatore
	Name   string // NominativoFacilitatore
	Role   string
	Card   string // card UID as the reader gives it
	Active bool
}

// Validate checks a member's fields.
func (m Member) Validate() error {
	switch {
	case strings.TrimSpace(m.ID) == "":
		return errors.New("staff: the national facilitator ID is missing")
	case strings.TrimSpace(m.Name) == "":
		return errors.New("staff: the name is missing")
	case m.Role != Facilitator && m.Role != Volunteer && m.Role != Coordinator:
		return fmt.Errorf("staff: role %q: want facilitator, volunteer or coordinator", m.Role)
	case normCard(m.Card) == "":
		return errors.New("staff: the card UID is missing")
	case strings.ContainsAny(m.Name+m.ID, "\"\r\n"):
		return errors.New("staff: ID and name cannot contain double quotes or line breaks")
	}
	return nil
}

func normCard(s string) string {
	return strings.ToUpper(strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ':' || r == '-' }), ""))
}

// ValidPIN checks that a PIN is 4 to 8 digits.
func ValidPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 8 {
		return errors.New("staff: the PIN must have 4 to 8 digits")
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return errors.New("staff: the PIN must be digits only")
		}
	}
	return nil
}

// HashPIN returns a salted PBKDF2-SHA256 hash of pin, as
// "pbkdf2-sha256$<iterations>$<salt>$<hash>".
func HashPIN(pin string, iterations int) (string, error) {
	if err := ValidPIN(pin); err != nil {
		return "", err
	}
	if iterations <= 0 {
		iterations = DefaultIterations
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	h, err := pbkdf2.Key(sha256.New, pin, salt, iterations, 32)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return "pbkdf2-sha256$" + strconv.Itoa(iterations) + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(h), nil
}

func checkPIN(hash, pin string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false, errors.New("staff: unsupported PIN hash")
	}
	iter, err := strconv.Atoi(parts[1])
	enc := base64.RawStdEncoding
	salt, err2 := enc.DecodeString(parts[2])
	want, err3 := enc.DecodeString(parts[3])
	if err != nil || err2 != nil || err3 != nil || iter <= 0 {
		return false, errors.New("staff: damaged PIN hash")
	}
	got, err := pbkdf2.Key(sha256.New, pin, salt, iter, len(want))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Roster is the staff table over a store.
type Roster struct {
	st *store.Store
}

// New returns the roster.
func New(st *store.Store) *Roster { return &Roster{st: st} }

// Put adds or replaces a member with a PIN hash from HashPIN. Sync calls it
// with the roster rows the hub sends down.
func (r *Roster) Put(ctx context.Context, m Member, pinHash string) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if !strings.HasPrefix(pinHash, "pbkdf2-sha256$") {
		return errors.New("staff: PIN hash is not a pbkdf2-sha256 hash")
	}
	return r.st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO staff(id, name, role, card, pin_hash, active, updated_ms) VALUES(?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET name = excluded.name, role = excluded.role, card = excluded.card,
				pin_hash = excluded.pin_hash, active = excluded.active, updated_ms = excluded.updated_ms`,
			m.ID, m.Name, m.Role, normCard(m.Card), pinHash, boolInt(m.Active), tx.Now().UnixMilli())
		if err != nil {
			return fmt.Errorf("staff: save %s: %w", m.ID, err)
		}
		return nil
	})
}

// Entry is one roster row as the hub sends it: a member and its PIN hash.
type Entry struct {
	Member
	PINHash string
}

// Replace makes entries the whole roster, in one transaction: members not
// among them stay on file (past services name them) but are deactivated, so
// their cards no longer log in. Every entry is checked first; one bad entry
// changes nothing. Cards may move between members.
func (r *Roster) Replace(ctx context.Context, entries []Entry) error {
	if err := CheckEntries(entries); err != nil {
		return err
	}
	ids := map[string]bool{}
	for _, e := range entries {
		ids[e.ID] = true
	}
	return r.replace(ctx, entries, ids)
}

// CheckEntries checks a whole roster as Replace does (each member's
// fields, PIN hashes made by HashPIN, no ID or card twice); the hub runs it
// when a coordinator sets a roster, so a bad one is refused there.
func CheckEntries(entries []Entry) error {
	ids, cards := map[string]bool{}, map[string]string{}
	for i, e := range entries {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("staff: roster row %d (%s): %w", i+1, e.ID, err)
		}
		if !strings.HasPrefix(e.PINHash, "pbkdf2-sha256$") {
			return fmt.Errorf("staff: roster row %d (%s): PIN hash is not a pbkdf2-sha256 hash", i+1, e.ID)
		}
		if ids[e.ID] {
			return fmt.Errorf("staff: roster row %d: %s appears twice", i+1, e.ID)
		}
		if other, ok := cards[normCard(e.Card)]; ok {
			return fmt.Errorf("staff: roster row %d: card %s is also %s's", i+1, e.Card, other)
		}
		ids[e.ID], cards[normCard(e.Card)] = true, e.ID
	}
	return nil
}

func (r *Roster) replace(ctx context.Context, entries []Entry, ids map[string]bool) error {
	return r.st.Write(ctx, func(tx *store.Tx) error {
		now := tx.Now().UnixMilli()
		old := map[string]string{} // id → card before the replacement
		rows, err := tx.Query(`SELECT id, card FROM staff`)
		if err != nil {
			return fmt.Errorf("staff: replace roster: %w", err)
		}
		for rows.Next() {
			var id, card string
			if err := rows.Scan(&id, &card); err != nil {
				rows.Close()
				return err
			}
			old[id] = card
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Park every card on a name no reader gives (cards are unique), so
		// a card moving from one member to another does not collide.
		if _, err := tx.Exec(`UPDATE staff SET card = '~' || id, active = 0, updated_ms = ?`, now); err != nil {
			return fmt.Errorf("staff: replace roster: %w", err)
		}
		for _, e := range entries {
			_, err := tx.Exec(`INSERT INTO staff(id, name, role, card, pin_hash, active, updated_ms) VALUES(?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT(id) DO UPDATE SET name = excluded.name, role = excluded.role, card = excluded.card,
					pin_hash = excluded.pin_hash, active = excluded.active, updated_ms = excluded.updated_ms`,
				e.ID, e.Name, e.Role, normCard(e.Card), e.PINHash, boolInt(e.Active), now)
			if err != nil {
				return fmt.Errorf("staff: save %s: %w", e.ID, err)
			}
		}
		// Members who left keep their card on file (for the record),
		// unless it now belongs to someone else.
		for id, card := range old {
			if ids[id] {
				continue
			}
			if _, err := tx.Exec(`UPDATE staff SET card = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM staff WHERE card = ?)`, card, id, card); err != nil {
				return fmt.Errorf("staff: replace roster: %w", err)
			}
		}
		return nil
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Get returns the member with the national ID id.
func (r *Roster) Get(ctx context.Context, id string) (Member, error) {
	return r.one(ctx, `WHERE id = ?`, id)
}

// GetIn is Get inside a write transaction, for a record that checks its
// staff member in the transaction that stores it.
func (r *Roster) GetIn(tx *store.Tx, id string) (Member, error) {
	return scanMember(tx.QueryRow(selectMember+`WHERE id = ?`, id), id)
}

const selectMember = `SELECT id, name, role, card, active FROM staff `

func (r *Roster) one(ctx context.Context, where string, arg any) (Member, error) {
	return scanMember(r.st.DB().QueryRowContext(ctx, selectMember+where, arg), arg)
}

func scanMember(row *sql.Row, arg any) (Member, error) {
	var m Member
	var active int
	err := row.Scan(&m.ID, &m.Name, &m.Role, &m.Card, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("%w: %v", ErrNotOnRoster, arg)
	}
	if err != nil {
		return m, fmt.Errorf("staff: read roster: %w", err)
	}
	m.Active = active == 1
	return m, nil
}

// List returns the whole roster, by name.
func (r *Roster) List(ctx context.Context) ([]Member, error) {
	rows, err := r.st.DB().QueryContext(ctx, `SELECT id, name, role, card, active FROM staff ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("staff: read roster: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		var active int
		if err := rows.Scan(&m.ID, &m.Name, &m.Role, &m.Card, &active); err != nil {
			return nil, err
		}
		m.Active = active == 1
		out = append(out, m)
	}
	return out, rows.Err()
}

// Login checks the PIN for the card. It returns the member, or
// ErrUnknownCard, or a *LoginError wrapping ErrWrongPIN or ErrLocked.
func (r *Roster) Login(ctx context.Context, card, pin string) (Member, error) {
	card = normCard(card)
	now := r.st.Clock().Now()
	var m Member
	var hash string
	var active, failures int
	var until int64
	err := r.st.DB().QueryRowContext(ctx, `SELECT s.id, s.name, s.role, s.card, s.active, s.pin_hash,
			COALESCE(l.failures, 0), COALESCE(l.locked_until_ms, 0)
		FROM staff s LEFT JOIN staff_lockout l ON l.card = s.card WHERE s.card = ?`, card).
		Scan(&m.ID, &m.Name, &m.Role, &m.Card, &active, &hash, &failures, &until)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && active == 0) {
		return Member{}, ErrUnknownCard
	}
	if err != nil {
		return Member{}, fmt.Errorf("staff: read roster: %w", err)
	}
	m.Active = true
	if lockedUntil := time.UnixMilli(until); now.Before(lockedUntil) {
		return Member{}, &LoginError{Err: ErrLocked, LockedUntil: lockedUntil}
	} else if until != 0 {
		failures = 0 // the lock has run out: a fresh set of attempts
	}
	ok, err := checkPIN(hash, pin)
	if err != nil {
		return Member{}, err
	}
	var result error
	err = r.st.Write(ctx, func(tx *store.Tx) error {
		if ok {
			if _, err := tx.Exec(`DELETE FROM staff_lockout WHERE card = ?`, card); err != nil {
				return err
			}
			_, err := tx.AppendJSON(KindLogin, 1, LoginEvent{Staff: m.ID})
			return err
		}
		failures++
		var lock int64
		if failures >= MaxFailures {
			lockedUntil := now.Add(LockFor)
			lock = lockedUntil.UnixMilli()
			result = &LoginError{Err: ErrLocked, LockedUntil: lockedUntil}
			if _, err := tx.AppendJSON(KindLocked, 1, LockedEvent{Staff: m.ID, Until: lockedUntil.UTC()}); err != nil {
				return err
			}
		} else {
			result = &LoginError{Err: ErrWrongPIN, AttemptsLeft: MaxFailures - failures}
		}
		_, err := tx.Exec(`INSERT INTO staff_lockout(card, failures, locked_until_ms) VALUES(?, ?, ?)
			ON CONFLICT(card) DO UPDATE SET failures = excluded.failures, locked_until_ms = excluded.locked_until_ms`,
			card, failures, lock)
		return err
	})
	if err != nil {
		return Member{}, fmt.Errorf("staff: record login: %w", err)
	}
	if result != nil {
		return Member{}, result
	}
	return m, nil
}
