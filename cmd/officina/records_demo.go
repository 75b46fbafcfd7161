package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/officina-digitale/officina/kiosk/assistance"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/codicefiscale"
	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/kiosk/people"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/kiosk/store"
)

func demoCmd(ctx context.Context, e *env, args []string) error {
	if _, args2, err := sub(args, "officina demo seed --days N [--force] [--seed S]", "seed"); err != nil {
		return err
	} else {
		args = args2
	}
	fs := flag.NewFlagSet("demo seed", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var c common
	c.register(fs)
	days := fs.Int("days", 30, "days of activity to invent, ending yesterday")
	force := fs.Bool("force", false, "seed even though the store holds real records")
	seed := fs.Uint64("seed", 1, "random seed (the same seed gives the same people and services)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *days < 1 || *days > 3660 {
		return fmt.Errorf("%w: --days must be 1 to 3660", errUsage)
	}
	cfg, err := c.load(e)
	if err != nil {
		return err
	}
	if cfg.Records.SiteID == "" {
		cfg.Records.SiteID, cfg.Records.SiteName = "DEMO-0001", "Punto Digitale Facile (demo), Biblioteca Berio"
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	id, err := identity.LoadOrCreate(cfg.DataDir, nil)
	if err != nil {
		return err
	}
	now := time.Now()
	clk := clock.NewFake(now)
	st, err := store.Open(ctx, filepath.Join(cfg.DataDir, "officina.db"), id.ID, store.Options{Clock: clk, Schemas: schemas()})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := checkDemoAllowed(ctx, st, *force); err != nil {
		return err
	}
	a, err := openRecordsOn(st, cfg)
	if err != nil {
		return err
	}
	if a.sealer == nil {
		if cfg.Records.ExportPublicKey != "" || lookupEnv(e.environ, "OFFICINA_PASSPHRASE") == "" {
			return errors.New("no export key yet: run 'officina export setup' first (or set OFFICINA_PASSPHRASE and demo seed creates it)")
		}
		if err := exportSetup(e, a); err != nil {
			return err
		}
		if a, err = openRecordsOn(st, cfg); err != nil {
			return err
		}
	}
	d := &demo{ctx: ctx, a: a, clk: clk, rng: rand.New(rand.NewPCG(*seed, 42))}
	if err := d.staff(); err != nil {
		return err
	}
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local).AddDate(0, 0, -*days)
	for i := 0; i < *days; i++ {
		if err := d.day(start.AddDate(0, 0, i)); err != nil {
			return err
		}
	}
	clk.Set(now)
	if err := st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO meta(key, value) VALUES('demo', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, now.UTC().Format(time.RFC3339))
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "seeded %d days: %d services for %d citizens, %d tickets, %d loans, %d course sessions, %d volunteer sessions (%d inputs rejected by validation, as a facilitator would have been told)\n",
		*days, d.n.services, len(d.pool), d.n.tickets, d.n.loans, d.n.courses, d.n.sessions, d.n.rejected)
	return nil
}

func checkDemoAllowed(ctx context.Context, st *store.Store, force bool) error {
	var services int
	if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM services`).Scan(&services); err != nil {
		return err
	}
	var mark string
	err := st.DB().QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'demo'`).Scan(&mark)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if services > 0 && mark == "" && !force {
		return fmt.Errorf("this store holds %d real services: demo data would mix with them and reach the national export; use a separate --data directory, or --force if you are sure", services)
	}
	return nil
}

type demoPerson struct {
	p       people.Person
	profile people.Profile
}

type demo struct {
	ctx  context.Context
	a    *recordsArea
	clk  *clock.Fake
	rng  *rand.Rand
	pool []demoPerson
	n    struct{ services, tickets, loans, courses, sessions, rejected int }
}

var (
	demoFacilitators = []staff.Member{
		{ID: "FAC-DEMO-01", Name: "Giulia D'Amico", Role: staff.Facilitator, Card: "DE:M0:00:01", Active: true},
		{ID: "FAC-DEMO-02", Name: "Marco Bianchi", Role: staff.Facilitator, Card: "DE:M0:00:02", Active: true},
	}
	demoVolunteer = staff.Member{ID: "VOL-DEMO-01", Name: "Sara Esposito", Role: staff.Volunteer, Card: "DE:M0:00:03", Active: true}
	demoFirstF    = []string{"Maria", "Anna", "Giuseppina", "Rosa", "Lucia", "Francesca", "Paola", "Oksana", "Fatima", "Elena", "Carla", "Chiara"}
	demoFirstM    = []string{"Giuseppe", "Mario", "Antonio", "Luigi", "Franco", "Paolo", "Ahmed", "Ion", "Stefano", "Andrea", "Giorgio", "Pietro"}
	demoSurnames  = []string{"Rossi", "Bianchi", "Romano", "Colombo", "D'Amico", "De Luca", "Dell'Orto", "Esposito", "Ferrari", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "Costa"}
	demoPlaces    = []string{"D969", "D969", "D969", "D612", "H501", "F205", "Z110", "Z129", "Z138", "Z330"}
	demoProvinces = []string{"GE", "GE", "GE", "GE", "SP", "SV"}
	// What people come for: SE5 competence, SE6 domains, typical minutes.
	demoGuides = []struct {
		id      string
		se5     []int
		se6     []string
		minutes int
		weight  int
	}{
		{"spid-attivazione", []int{9}, []string{"A"}, 35, 20},
		{"spid-inps", []int{9}, []string{"L"}, 30, 6},
		{"cie-pin-puk", []int{9}, []string{"S"}, 15, 6},
		{"app-io", []int{6}, []string{"A"}, 25, 10},
		{"pagopa-avviso", []int{6}, []string{"B"}, 20, 8},
		{"anpr-certificati", []int{6}, []string{"C"}, 20, 7},
		{"fse-consenso", []int{6, 12}, []string{"D"}, 30, 8},
		{"cup-prenotazione", []int{6}, []string{"M"}, 25, 7},
		{"pec-inad", []int{5}, []string{"S"}, 30, 4},
		{"catalogo-biblioteca", []int{1}, []string{"F"}, 15, 5},
		{"videochiamate", []int{4}, []string{"S"}, 30, 6},
		{"phishing", []int{11}, []string{"S"}, 20, 5},
		{"smartphone-problemi", []int{13}, []string{"S"}, 25, 6},
		{"inpa-concorsi", []int{6, 5}, []string{"J"}, 40, 2},
	}
)

func (d *demo) staff() error {
	for _, m := range append(demoFacilitators, demoVolunteer) {
		if _, err := d.a.roster.Get(d.ctx, m.ID); err == nil {
			continue
		}
		h, err := staff.HashPIN("1234", 0)
		if err != nil {
			return err
		}
		if err := d.a.roster.Put(d.ctx, m, h); err != nil {
			return err
		}
	}
	return nil
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// person invents a citizen with a valid fictional codice fiscale; about one
// in twenty has no CF and gives a residence permit instead.
func (d *demo) person(day time.Time) demoPerson {
	r := d.rng
	female := r.IntN(2) == 0
	first := pick(r, demoFirstM)
	if female {
		first = pick(r, demoFirstF)
	}
	surname := pick(r, demoSurnames)
	// Ages weighted towards older citizens, as at a Punto Digitale Facile.
	age := []int{19, 25, 34, 45, 52, 58, 63, 67, 70, 72, 76, 79, 83, 88}[r.IntN(14)] + r.IntN(4)
	birth := day.AddDate(-age, -r.IntN(12), -r.IntN(28))
	prof := people.Profile{
		Education:   pick(r, []string{"A", "B", "B", "C", "C", "C", "E", "H", "I", "L"}),
		Employment:  pick(r, []string{"G", "G", "G", "G", "A", "D", "F", "C", "E", "H"}),
		Citizenship: "A",
		Province:    pick(r, demoProvinces),
	}
	if age < 26 {
		prof.Employment = "E"
	}
	if r.IntN(20) == 0 {
		prof.Citizenship = "C"
		g := "B"
		if female {
			g = "A"
		}
		band, _ := bandOf(age)
		return demoPerson{p: people.Person{DocType: "D", DocNumber: fmt.Sprintf("I%07d", r.IntN(10_000_000)), FirstName: first, Surname: surname, Gender: g, AgeBand: band}, profile: prof}
	}
	place := pick(r, demoPlaces)
	if place[0] == 'Z' {
		prof.Citizenship = pick(r, []string{"A", "B", "C"})
	}
	letters := "BCDFGHLMNPRSTVZ"
	code := make([]byte, 0, 16)
	for range 6 {
		code = append(code, letters[r.IntN(len(letters))])
	}
	dd := birth.Day()
	if female {
		dd += 40
	}
	code = fmt.Appendf(code, "%02d%c%02d%s", birth.Year()%100, "ABCDEHLMPRST"[birth.Month()-1], dd, place)
	chk, _ := codicefiscale.CheckChar(string(code))
	code = append(code, chk)
	return demoPerson{p: people.Person{CF: string(code), FirstName: first, Surname: surname}, profile: prof}
}

func bandOf(age int) (string, error) {
	switch {
	case age < 30:
		return "A", nil
	case age < 55:
		return "B", nil
	case age < 75:
		return "C", nil
	}
	return "D", nil
}

func (d *demo) at(day time.Time, hour, min int) {
	d.clk.Set(time.Date(day.Year(), day.Month(), day.Day(), hour, min, 0, 0, day.Location()))
}

func (d *demo) day(day time.Time) error {
	r := d.rng
	if day.Weekday() == time.Sunday {
		return nil
	}
	desk := d.a.desk
	n := 6 + r.IntN(12)
	if day.Weekday() == time.Saturday {
		n /= 2
	}
	minute := 9 * 60
	for i := 0; i < n; i++ {
		minute += 10 + r.IntN(25)
		d.at(day, minute/60, minute%60)
		if r.IntN(10) < 6 {
			if _, err := desk.TakeTicket(d.ctx); err != nil {
				return err
			}
			d.n.tickets++
		}
		fac := pick(r, demoFacilitators).ID
		if _, err := desk.CallNext(d.ctx, fac); err != nil && !errors.Is(err, assistance.ErrQueueEmpty) {
			return err
		}
		var who demoPerson
		returning := len(d.pool) > 10 && r.IntN(10) < 4
		if returning {
			who = d.pool[r.IntN(len(d.pool))]
		} else {
			who = d.person(day)
		}
		total := 0
		for _, g := range demoGuides {
			total += g.weight
		}
		w := r.IntN(total)
		g := demoGuides[0]
		for _, c := range demoGuides {
			if w < c.weight {
				g = c
				break
			}
			w -= c.weight
		}
		in := assistance.ServiceInput{
			Person: who.p, Staff: fac, Duration: time.Duration(g.minutes/2+r.IntN(g.minutes)) * time.Minute,
			FirstTime: !returning && r.IntN(10) < 7, ServiceTypes: []string{"A"},
			Competences: g.se5, Domains: g.se6, Guide: g.id,
		}
		if returning {
			in.UsedBefore = []string{"A"}
			if r.IntN(2) == 0 { // only the card is scanned; the identity is on file
				in.Person.FirstName, in.Person.Surname = "", ""
			}
		} else {
			in.Profile = who.profile
			in.ConsentMethod = pick(r, []string{"screen", "verbal", "verbal", "paper"})
			if !in.FirstTime {
				in.UsedBefore = []string{pick(r, []string{"A", "C", "D"})}
			}
		}
		if r.IntN(25) == 0 {
			in.ServiceTypes = []string{pick(r, []string{"B", "C", "D", "E"})}
		}
		if r.IntN(6) == 0 {
			in.Details = pick(r, []string{"Accompagnato dalla figlia, torna per il PIN", "Serve la PEC per un concorso, rimandato", "Consigliato di salvare le credenziali in un luogo sicuro"})
		}
		if _, err := desk.RecordService(d.ctx, in); err != nil {
			var ce *codicefiscale.Error
			var fe *people.FieldError
			if errors.As(err, &ce) || errors.As(err, &fe) {
				d.n.rejected++
				continue
			}
			return fmt.Errorf("demo service on %s: %w", day.Format(time.DateOnly), err)
		}
		d.n.services++
		if !returning {
			d.pool = append(d.pool, who)
		}
	}
	for _, f := range demoFacilitators {
		if err := desk.FinishTicket(d.ctx, f.ID); err != nil {
			return err
		}
	}
	// A tablet or two goes out; most come back on time.
	for i := 0; i < r.IntN(3) && len(d.pool) > 0; i++ {
		d.at(day, 10+i, 15)
		dev := fmt.Sprintf("TAB-%02d", i+1)
		who := d.pool[r.IntN(len(d.pool))].p
		if _, err := desk.LendDevice(d.ctx, dev, people.Person{CF: who.CF, DocType: who.DocType, DocNumber: who.DocNumber}, demoFacilitators[0].ID, time.Hour); err != nil {
			if errors.Is(err, assistance.ErrDeviceOut) {
				continue
			}
			return err
		}
		d.n.loans++
		d.at(day, 11+i, r.IntN(59)) // sometimes late
		if r.IntN(12) != 0 {
			if _, err := desk.ReturnDevice(d.ctx, dev, demoFacilitators[0].ID); err != nil {
				return err
			}
		}
	}
	// Group courses on Tuesdays and Thursdays, volunteer sessions on Mondays, Wednesdays and Fridays.
	switch day.Weekday() {
	case time.Tuesday, time.Thursday:
		d.at(day, 15, 0)
		course := pick(r, []assistance.CourseInput{
			{Title: "Primi passi con lo smartphone", Competences: []int{4, 13}, Domains: []string{"S"}},
			{Title: "SPID e App IO", Competences: []int{9, 6}, Domains: []string{"A"}},
			{Title: "Riconoscere le truffe online", Competences: []int{11, 2}, Domains: []string{"S"}},
			{Title: "Videochiamate con la famiglia", Competences: []int{4}, Domains: []string{"S"}},
		})
		course.Staff = demoFacilitators[1].ID
		c, err := desk.OpenCourse(d.ctx, course)
		if err != nil {
			return err
		}
		for j := 0; j < 4+r.IntN(7) && len(d.pool) > 0; j++ {
			who := d.pool[r.IntN(len(d.pool))].p
			if _, err := desk.Attend(d.ctx, c.ID, people.Person{CF: who.CF, DocType: who.DocType, DocNumber: who.DocNumber}); err != nil {
				return err
			}
		}
		d.at(day, 16, 30)
		closed, err := desk.CloseCourse(d.ctx, c.ID)
		if err != nil {
			return err
		}
		d.n.services += closed.Services
		d.n.courses++
	case time.Monday, time.Wednesday, time.Friday:
		if len(d.pool) < 2 {
			break
		}
		d.at(day, 17, 0)
		var ps []people.Person
		for j := 0; j < 2+r.IntN(4); j++ {
			who := d.pool[r.IntN(len(d.pool))].p
			ps = append(ps, people.Person{CF: who.CF, DocType: who.DocType, DocNumber: who.DocNumber})
		}
		topics := pick(r, [][]string{{"WhatsApp", "videochiamate"}, {"foto", "condivisione"}, {"App IO"}, {"ricerca online", "notizie false"}})
		if _, err := desk.RecordSession(d.ctx, assistance.SessionInput{Volunteer: demoVolunteer.ID, Participants: ps, Topics: topics,
			Duration: time.Duration(45+r.IntN(45)) * time.Minute}); err != nil {
			return err
		}
		d.n.sessions++
	}
	return nil
}
