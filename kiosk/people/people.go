// Package people keeps pseudonymous citizen records: who came back, their
// remembered profile (education, employment, citizenship, province), and
// their privacy-notice acknowledgements.
//
// A codice fiscale is used once, when it is scanned or typed, and then kept
// only in two forms: an HMAC under the deployment secret (the citizen's id,
// for counting unique citizens and recognising a returning one) and a copy
// sealed to the export key (package seal) that only the hub or the
// coordinator's passphrase can open. Names and ID documents are sealed the
// same way. Gender and age band are derived from the code and kept; the
// birth date is not.
package people

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/codicefiscale"
	"github.com/officina-digitale/officina/kiosk/facilita"
	"github.com/officina-digitale/officina/kiosk/seal"
	"github.com/officina-digitale/officina/kiosk/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the package's tables, for store.Options.Schemas.
var Schema = store.MustSchemaFromFS("people", migrations, "migrations")

// Event kinds appended by this package.
const (
	KindSealKey = "seal.key"             // payload seal.WrappedKey
	KindCitizen = "citizen.profile"      // payload CitizenEvent
	KindConsent = "consent.acknowledged" // payload ConsentEvent
	KindErased  = "citizen.erased"       // payload ErasedEvent
)

// CitizenEvent records a new citizen or a change of their profile.
type CitizenEvent struct {
	Citizen string `json:"citizen"`
	Gender  string `json:"gender"`
	Profile
	Sealed string `json:"sealed,omitempty"`
}

// ConsentEvent records a privacy-notice acknowledgement.
type ConsentEvent struct {
	Citizen string    `json:"citizen"`
	Notice  string    `json:"notice"`
	Method  string    `json:"method"`
	At      time.Time `json:"at"`
}

// ErasedEvent records that the retention limit erased sealed personal data
// recorded before Before.
type ErasedEvent struct {
	Before   time.Time `json:"before"`
	Citizens int       `json:"citizens"`
	Events   int       `json:"events"`
}

// ConsentMethods says how a privacy notice can be acknowledged.
var ConsentMethods = map[string]string{
	"screen": "read and accepted on the kiosk screen",
	"paper":  "signed the printed notice",
	"verbal": "read aloud by the facilitator and accepted",
	"phone":  "read over the phone and accepted",
}

// Sealed is a citizen's identity as it is sealed: what the export needs and
// the kiosk must not keep in clear.
type Sealed struct {
	CF        string `json:"cf,omitempty"`
	DocType   string `json:"doc_type,omitempty"`
	DocNumber string `json:"doc_number,omitempty"`
	FirstName string `json:"first_name"`
	Surname   string `json:"surname"`
}

// Person is what a facilitator enters or a card gives. It is used to
// identify the citizen and then dropped.
type Person struct {
	CF        string // as typed or scanned; empty when the citizen has none
	DocType   string // AN5, only without a CF
	DocNumber string // AN6, only without a CF
	FirstName string
	Surname   string
	Gender    string // AN7; derived from the CF when empty
	AgeBand   string // AN8; derived from the CF when empty, required without one
}

// Profile is what is asked once and remembered for the next visit.
type Profile struct {
	Education   string `json:"education"`   // AN9
	Employment  string `json:"employment"`  // AN10
	Citizenship string `json:"citizenship"` // AN11
	Province    string `json:"province"`    // AN12
}

// FieldError names the field a person or profile got wrong.
type FieldError struct {
	Field  string // AN code, e.g. "AN9"
	Reason string
}

func (e *FieldError) Error() string { return "people: " + e.Field + ": " + e.Reason }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Validate checks the fields that are set against the code lists; empty
// fields are allowed (they may be remembered from an earlier visit).
func (p Profile) Validate() error {
	check := func(field, v string, list map[string]string) error {
		if _, ok := list[v]; v != "" && !ok {
			return fieldErr(field, "%q is not in the code list", v)
		}
		return nil
	}
	return errors.Join(
		check("AN9", p.Education, facilita.Educations),
		check("AN10", p.Employment, facilita.Employments),
		check("AN11", p.Citizenship, facilita.Citizenships),
		p.validProvince(),
	)
}

func (p Profile) validProvince() error {
	if p.Province == "" {
		return nil
	}
	if len(p.Province) != 2 || !isUpper(p.Province[0]) || !isUpper(p.Province[1]) {
		return fieldErr("AN12", "province %q should be a two-letter code such as GE or FI", p.Province)
	}
	return nil
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }

// Complete reports the first missing profile field, if any.
func (p Profile) Complete() error {
	switch {
	case p.Education == "":
		return fieldErr("AN9", "education is missing: ask the citizen (L if they prefer not to say)")
	case p.Employment == "":
		return fieldErr("AN10", "employment is missing: ask the citizen")
	case p.Citizenship == "":
		return fieldErr("AN11", "citizenship is missing: ask the citizen")
	case p.Province == "":
		return fieldErr("AN12", "province of domicile is missing: ask the citizen")
	}
	return nil
}

// merge fills p's empty fields from old.
func (p Profile) merge(old Profile) Profile {
	if p.Education == "" {
		p.Education = old.Education
	}
	if p.Employment == "" {
		p.Employment = old.Employment
	}
	if p.Citizenship == "" {
		p.Citizenship = old.Citizenship
	}
	if p.Province == "" {
		p.Province = old.Province
	}
	return p
}

// Identified is a citizen recognised from a Person: pseudonym, derived
// facts and the sealed identity. It holds no raw personal data.
type Identified struct {
	ID      string
	Gender  string // AN7
	AgeBand string // AN8 on the day given to Identify
	Sealed  string
	Key     seal.WrappedKey
	// Reuse is set when no names were given: Record then uses the identity
	// sealed on the citizen's earlier visit.
	Reuse bool
}

// Registry is the citizen register over a store.
type Registry struct {
	st            *store.Store
	secret        []byte
	sealer        *seal.Sealer
	minorsAllowed bool
}

// Options configure a Registry.
type Options struct {
	// Secret is the deployment secret keying the citizen pseudonyms; at
	// least 32 bytes, the same on every kiosk of a deployment.
	Secret []byte
	// Sealer seals identities to the export key. Without one the registry
	// can still recognise citizens but not record new identities.
	Sealer *seal.Sealer
	// MinorsAllowed admits citizens of 14–17 (AN8 E).
	MinorsAllowed bool
}

// ErrNoExportKey means no export key is configured, so personal data
// cannot be sealed.
var ErrNoExportKey = errors.New("people: no export key: configure records.export_public_key (the hub's) or run 'officina export setup' once")

// New returns the registry.
func New(st *store.Store, opts Options) (*Registry, error) {
	if len(opts.Secret) < 32 {
		return nil, fmt.Errorf("people: the deployment secret has %d bytes, want at least 32", len(opts.Secret))
	}
	return &Registry{st: st, secret: opts.Secret, sealer: opts.Sealer, minorsAllowed: opts.MinorsAllowed}, nil
}

// Pseudonym returns the citizen id for a normalised codice fiscale.
func (r *Registry) Pseudonym(cf string) string { return r.mac("cf:" + cf) }

func (r *Registry) mac(s string) string {
	m := hmac.New(sha256.New, r.secret)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

func normDoc(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// Identify validates p and derives the citizen's pseudonym, gender and age
// band on the given day, and seals the identity. A wrong codice fiscale
// returns a *codicefiscale.Error; another wrong field a *FieldError.
func (r *Registry) Identify(p Person, on time.Time) (Identified, error) {
	var id Identified
	var sealed Sealed
	p.FirstName, p.Surname = strings.TrimSpace(p.FirstName), strings.TrimSpace(p.Surname)
	if p.Gender != "" {
		if _, ok := facilita.Genders[p.Gender]; !ok {
			return id, fieldErr("AN7", "%q is not a gender code (A F, B M, C non-binary, D prefers not to say)", p.Gender)
		}
	}
	if p.AgeBand != "" {
		if _, ok := facilita.AgeBands[p.AgeBand]; !ok || (p.AgeBand == "E" && !r.minorsAllowed) {
			return id, fieldErr("AN8", "%q is not an age band this programme records", p.AgeBand)
		}
	}
	if strings.TrimSpace(p.CF) != "" {
		if p.DocType != "" || p.DocNumber != "" {
			return id, fieldErr("AN5", "give either the codice fiscale or an ID document, not both")
		}
		c, err := codicefiscale.Parse(p.CF)
		if err != nil {
			return id, err
		}
		band, err := facilita.AgeBand(c.Age(on), r.minorsAllowed)
		if err != nil {
			return id, fieldErr("AN8", "%v", err)
		}
		id.ID = r.Pseudonym(c.String())
		id.Gender = map[codicefiscale.Gender]string{codicefiscale.Female: "A", codicefiscale.Male: "B"}[c.Gender()]
		if p.Gender != "" {
			id.Gender = p.Gender // a citizen may say non-binary or prefer not to say
		}
		id.AgeBand = band
		sealed.CF = c.String()
	} else {
		if _, ok := facilita.DocumentTypes[p.DocType]; !ok {
			return id, fieldErr("AN5", "without a codice fiscale give the ID document type: A identity card, B driving licence, C passport, D residence permit, E other")
		}
		num := normDoc(p.DocNumber)
		if len(num) < 4 || len(num) > 30 {
			return id, fieldErr("AN6", "the document number should have 4 to 30 characters")
		}
		if p.Gender == "" {
			return id, fieldErr("AN7", "without a codice fiscale, ask the citizen's gender")
		}
		if p.AgeBand == "" {
			return id, fieldErr("AN8", "without a codice fiscale, ask the citizen's age band")
		}
		id.ID = r.mac("doc:" + p.DocType + ":" + num)
		id.Gender, id.AgeBand = p.Gender, p.AgeBand
		sealed.DocType, sealed.DocNumber = p.DocType, num
	}
	if p.FirstName == "" && p.Surname == "" {
		// A returning citizen whose card was scanned: Record takes the
		// identity sealed on an earlier visit.
		id.Reuse = true
		return id, nil
	}
	if p.FirstName == "" {
		return id, fieldErr("AN1", "the first name is missing")
	}
	if p.Surname == "" {
		return id, fieldErr("AN2", "the surname is missing")
	}
	if strings.ContainsAny(p.FirstName+p.Surname, "\"\r\n") {
		return id, fieldErr("AN1", "names cannot contain double quotes or line breaks")
	}
	sealed.FirstName, sealed.Surname = p.FirstName, p.Surname
	if r.sealer == nil {
		return id, ErrNoExportKey
	}
	b, _ := json.Marshal(sealed)
	var err error
	id.Sealed, id.Key, err = r.sealer.Seal(b)
	clear(b)
	if err != nil {
		return id, err
	}
	return id, nil
}

// Citizen is a citizen as the register knows them.
type Citizen struct {
	ID        string
	Gender    string
	Profile   Profile
	FirstSeen time.Time
	LastSeen  time.Time
	Erased    bool // sealed identity erased by the retention limit
	// Sealed is the identity as recorded by Record (not filled by Lookup).
	Sealed string
}

// Lookup returns the citizen with the pseudonym id, if known.
func (r *Registry) Lookup(q interface {
	QueryRow(string, ...any) *sql.Row
}, id string) (Citizen, bool, error) {
	var c Citizen
	var first, last, erased int64
	err := q.QueryRow(`SELECT id, gender, education, employment, citizenship, province, first_seen_ms, last_seen_ms, erased_ms
		FROM citizens WHERE id = ?`, id).Scan(&c.ID, &c.Gender, &c.Profile.Education, &c.Profile.Employment,
		&c.Profile.Citizenship, &c.Profile.Province, &first, &last, &erased)
	if errors.Is(err, sql.ErrNoRows) {
		return Citizen{}, false, nil
	}
	if err != nil {
		return Citizen{}, false, fmt.Errorf("people: look up citizen: %w", err)
	}
	c.FirstSeen, c.LastSeen, c.Erased = time.UnixMilli(first), time.UnixMilli(last), erased != 0
	return c, true, nil
}

// ReadDB adapts a *sql.DB to Lookup.
type ReadDB struct{ DB *sql.DB }

// QueryRow runs a read.
func (d ReadDB) QueryRow(q string, args ...any) *sql.Row { return d.DB.QueryRow(q, args...) }

// Record stores an identified citizen with their profile inside tx: new
// fields override remembered ones, empty fields keep them. It appends the
// sealing key if this store has not seen it, and a citizen.profile event
// when the citizen is new or something changed. It returns the citizen with
// the merged profile and whether they had been seen before.
func (r *Registry) Record(tx *store.Tx, id Identified, prof Profile) (Citizen, bool, error) {
	if err := prof.Validate(); err != nil {
		return Citizen{}, false, err
	}
	if id.Reuse {
		err := tx.QueryRow(`SELECT sealed FROM citizens WHERE id = ?`, id.ID).Scan(&id.Sealed)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return Citizen{}, false, fmt.Errorf("people: look up citizen: %w", err)
		}
		if id.Sealed == "" {
			return Citizen{}, false, fieldErr("AN1", "the first name and surname are missing (a new citizen, or one whose data the retention limit erased)")
		}
	} else if err := r.storeKey(tx, id.Key); err != nil {
		return Citizen{}, false, err
	}
	old, known, err := r.Lookup(tx, id.ID)
	if err != nil {
		return Citizen{}, false, err
	}
	merged := prof.merge(old.Profile)
	now := tx.Now()
	c := Citizen{ID: id.ID, Gender: id.Gender, Profile: merged, FirstSeen: now, LastSeen: now, Sealed: id.Sealed}
	if known {
		c.FirstSeen = old.FirstSeen
	}
	if !known || merged != old.Profile || id.Gender != old.Gender || old.Erased || !id.Reuse {
		if _, err := tx.AppendJSON(KindCitizen, 1, CitizenEvent{Citizen: id.ID, Gender: id.Gender, Profile: merged, Sealed: id.Sealed}); err != nil {
			return Citizen{}, false, err
		}
	}
	_, err = tx.Exec(`INSERT INTO citizens(id, gender, education, employment, citizenship, province, sealed, first_seen_ms, last_seen_ms)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET gender = excluded.gender, education = excluded.education, employment = excluded.employment,
			citizenship = excluded.citizenship, province = excluded.province, sealed = excluded.sealed,
			last_seen_ms = excluded.last_seen_ms, erased_ms = 0`,
		id.ID, id.Gender, merged.Education, merged.Employment, merged.Citizenship, merged.Province, id.Sealed,
		now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return Citizen{}, false, fmt.Errorf("people: record citizen: %w", err)
	}
	return c, known, nil
}

func (r *Registry) storeKey(tx *store.Tx, k seal.WrappedKey) error {
	if k.ID == "" {
		return errors.New("people: identity was not sealed")
	}
	var one int
	err := tx.QueryRow(`SELECT 1 FROM seal_keys WHERE id = ?`, k.ID).Scan(&one)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("people: read sealing keys: %w", err)
	}
	if _, err := tx.AppendJSON(KindSealKey, 1, k); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO seal_keys(id, recipient, wrapped, created_ms) VALUES(?, ?, ?, ?)`,
		k.ID, k.Recipient, k.Wrapped, tx.Now().UnixMilli()); err != nil {
		return fmt.Errorf("people: store sealing key: %w", err)
	}
	return nil
}

// Acknowledge records, inside tx, that the citizen acknowledged the privacy
// notice (a version label such as "2026-01") in the given way. Acknowledging
// the same notice again is a no-op and returns false.
func (r *Registry) Acknowledge(tx *store.Tx, citizen, notice, method string) (bool, error) {
	if _, ok := ConsentMethods[method]; !ok {
		return false, fieldErr("consent", "%q is not a way of acknowledging the notice (screen, paper, verbal, phone)", method)
	}
	if strings.TrimSpace(notice) == "" {
		return false, fieldErr("consent", "the privacy notice version is missing")
	}
	var one int
	err := tx.QueryRow(`SELECT 1 FROM consents WHERE citizen = ? AND notice = ?`, citizen, notice).Scan(&one)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("people: read consents: %w", err)
	}
	now := tx.Now()
	ev, err := tx.AppendJSON(KindConsent, 1, ConsentEvent{Citizen: citizen, Notice: notice, Method: method, At: now.UTC()})
	if err != nil {
		return false, err
	}
	if _, err := tx.Exec(`INSERT INTO consents(citizen, notice, method, at_ms, seq) VALUES(?, ?, ?, ?, ?)`,
		citizen, notice, method, now.UnixMilli(), int64(ev.Seq)); err != nil {
		return false, fmt.Errorf("people: record consent: %w", err)
	}
	return true, nil
}

// HasAcknowledged reports whether the citizen acknowledged the notice.
func (r *Registry) HasAcknowledged(tx *store.Tx, citizen, notice string) (bool, error) {
	var one int
	err := tx.QueryRow(`SELECT 1 FROM consents WHERE citizen = ? AND notice = ?`, citizen, notice).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// PseudonymOnly validates a codice fiscale (or, without one, an ID
// document) and returns the citizen's pseudonym, for flows that need only
// to know who (a loan, an attendance mark) and keep no name.
func (r *Registry) PseudonymOnly(p Person) (string, error) {
	if strings.TrimSpace(p.CF) != "" {
		c, err := codicefiscale.Parse(p.CF)
		if err != nil {
			return "", err
		}
		return r.Pseudonym(c.String()), nil
	}
	if _, ok := facilita.DocumentTypes[p.DocType]; !ok {
		return "", fieldErr("AN5", "scan the health card, or give the ID document type and number")
	}
	num := normDoc(p.DocNumber)
	if len(num) < 4 || len(num) > 30 {
		return "", fieldErr("AN6", "the document number should have 4 to 30 characters")
	}
	return r.mac("doc:" + p.DocType + ":" + num), nil
}

// Find recognises a returning citizen from their card or document, so the
// screen can skip the questions already answered. It reads only.
func (r *Registry) Find(ctx context.Context, p Person) (Citizen, bool, error) {
	id, err := r.PseudonymOnly(p)
	if err != nil {
		return Citizen{}, false, err
	}
	return r.Lookup(ReadDB{r.st.DB()}, id)
}
