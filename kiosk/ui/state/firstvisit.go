package state

import (
	"errors"
	"strings"

	"github.com/officina-digitale/officina/kiosk/i18n"
)

// ErrFirstVisit is returned by Services.Record when the register does not
// know the citizen yet: the record needs the first-visit questions (names,
// profile, privacy notice).
var ErrFirstVisit = errors.New("services: first visit: the citizen's details and privacy notice are needed")

// Profile is what a first visit asks once (Facilita AN9–AN12); the
// register remembers it for the citizen's next visits.
type Profile struct {
	Education   string
	Employment  string
	Citizenship string
	Province    string // two letters, e.g. "GE"
}

// FirstVisit is what the facilitator adds on a citizen's first service.
type FirstVisit struct {
	FirstName string
	Surname   string
	Profile   Profile
	// Consent is how the privacy notice was acknowledged: "screen",
	// "paper", "verbal" or "phone".
	Consent string
}

// Step is one question of the first-visit flow.
type Step string

const (
	StepFirstName   Step = "first_name"
	StepSurname     Step = "surname"
	StepEducation   Step = "education"
	StepEmployment  Step = "employment"
	StepCitizenship Step = "citizenship"
	StepProvince    Step = "province"
	StepConsent     Step = "consent"
)

// Steps are the first-visit questions in order.
func Steps() []Step {
	return []Step{StepFirstName, StepSurname, StepEducation, StepEmployment, StepCitizenship, StepProvince, StepConsent}
}

// Typed reports whether s is answered on the letter keyboard rather than
// with choice buttons.
func (s Step) Typed() bool { return s == StepFirstName || s == StepSurname || s == StepProvince }

// Choices are the codes offered as big buttons at a choice step (the
// Facilita code lists; education grouped to the common levels).
func (s Step) Choices() []string {
	switch s {
	case StepEducation:
		return []string{"A", "B", "C", "E", "H", "I", "K", "L"}
	case StepEmployment:
		return []string{"A", "B", "C", "D", "E", "F", "G", "H"}
	case StepCitizenship:
		return []string{"A", "B", "C"}
	case StepConsent:
		return []string{"screen", "paper", "verbal", "phone"}
	}
	return nil
}

// Letters are the keys of the letter keyboard.
func Letters() []string {
	var out []string
	for _, r := range "ABCDEFGHIJKLMNOPQRSTUVWXYZ'" {
		out = append(out, string(r))
	}
	return out
}

// firstVisit is the flow's state: nil while the citizen is a returning one.
type firstVisit struct {
	step int
	data FirstVisit
}

// FirstVisitStep is the current first-visit question; ok is false when
// the record is for a returning citizen.
func (a *App) FirstVisitStep() (s Step, ok bool) {
	if a.staff.first == nil {
		return "", false
	}
	return Steps()[a.staff.first.step], true
}

// FirstVisitData is what the first-visit questions have gathered so far.
func (a *App) FirstVisitData() FirstVisit {
	if a.staff.first == nil {
		return FirstVisit{}
	}
	return a.staff.first.data
}

// Typed is the text of the current typed step.
func (a *App) Typed() string {
	if f := a.staff.first; f != nil {
		if p := f.field(); p != nil {
			return *p
		}
	}
	return ""
}

func (f *firstVisit) field() *string {
	switch Steps()[f.step] {
	case StepFirstName:
		return &f.data.FirstName
	case StepSurname:
		return &f.data.Surname
	case StepProvince:
		return &f.data.Profile.Province
	}
	return nil
}

// TypeLetter adds a letter at a typed step; " " adds a space, "" deletes
// the last character.
func (a *App) TypeLetter(l string) {
	a.act()
	f := a.staff.first
	if f == nil || f.field() == nil {
		return
	}
	p := f.field()
	limit := 40
	if Steps()[f.step] == StepProvince {
		limit = 2
	}
	switch {
	case l == "":
		if r := []rune(*p); len(r) > 0 {
			*p = string(r[:len(r)-1])
		}
	case len([]rune(*p)) < limit && (l != " " || (*p != "" && !strings.HasSuffix(*p, " "))):
		if Steps()[f.step] != StepProvince || (l >= "A" && l <= "Z") {
			*p += l
		}
	}
	a.changed()
}

var needIDs = map[Step]i18n.ID{
	StepFirstName: i18n.ID("first.need_first_name"), StepSurname: i18n.ID("first.need_surname"),
	StepProvince: i18n.ID("first.need_province"),
}

// NextStep moves past a typed step once it is filled in.
func (a *App) NextStep() {
	a.act()
	f := a.staff.first
	if f == nil || f.field() == nil {
		return
	}
	p := f.field()
	*p = strings.TrimSpace(*p)
	if *p == "" || (Steps()[f.step] == StepProvince && len(*p) != 2) {
		a.notice = Notice{ID: needIDs[Steps()[f.step]], Error: true}
		a.changed()
		return
	}
	f.step++
	a.changed()
}

// Choose answers a choice step and moves to the next; the last answer
// (the privacy notice) saves the record.
func (a *App) Choose(code string) {
	a.act()
	f := a.staff.first
	if f == nil {
		return
	}
	s := Steps()[f.step]
	switch s {
	case StepEducation:
		f.data.Profile.Education = code
	case StepEmployment:
		f.data.Profile.Employment = code
	case StepCitizenship:
		f.data.Profile.Citizenship = code
	case StepConsent:
		f.data.Consent = code
	default:
		return
	}
	if f.step < len(Steps())-1 {
		f.step++
		a.changed()
		return
	}
	a.save()
	a.changed()
}

// PrevStep goes back one first-visit question (to correct an answer).
func (a *App) PrevStep() {
	a.act()
	if f := a.staff.first; f != nil && f.step > 0 {
		f.step--
	}
	a.changed()
}

// TypingCF reports whether the record screen shows the keyboard for
// typing a codice fiscale (a citizen without their health card).
func (a *App) TypingCF() bool { return a.staff.typingCF }

// TypeCF opens the codice fiscale keyboard on the record screen, with the
// draft's codice fiscale to correct.
func (a *App) TypeCF() {
	a.act()
	a.staff.typingCF = true
	a.changed()
}

// CFKey adds a letter or digit to the typed codice fiscale (at most 16);
// "" deletes the last one.
func (a *App) CFKey(k string) {
	a.act()
	cf := a.staff.draft.CF
	switch {
	case k == "":
		if cf != "" {
			cf = cf[:len(cf)-1]
		}
	case len(cf) < 16 && len(k) == 1 && (k[0] >= 'A' && k[0] <= 'Z' || k[0] >= '0' && k[0] <= '9'):
		cf += k
	}
	if cf != a.staff.draft.CF {
		a.staff.first = nil // another citizen
	}
	a.staff.draft.CF = cf
	a.changed()
}

// DoneCF closes the codice fiscale keyboard; a wrong code is reported when
// the record is saved, with nothing lost.
func (a *App) DoneCF() {
	a.act()
	if n := len(a.staff.draft.CF); n != 16 {
		a.notice = Notice{ID: i18n.ID("record.cf_length"), Args: []any{"N", n}, Error: true}
		a.changed()
		return
	}
	a.staff.typingCF = false
	a.changed()
}

// CFKeys are the keys of the codice fiscale keyboard.
func CFKeys() []string {
	var out []string
	for _, r := range "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" {
		out = append(out, string(r))
	}
	return out
}
