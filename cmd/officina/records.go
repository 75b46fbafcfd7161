package main

// Records: people, consent, assistance, queue, loans, `export`.

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // service dates are in Europe/Rome even where the OS has no zoneinfo

	"github.com/officina-digitale/officina/kiosk/assistance"
	"github.com/officina-digitale/officina/kiosk/atomicfile"
	"github.com/officina-digitale/officina/kiosk/config"
	"github.com/officina-digitale/officina/kiosk/metrics"
	"github.com/officina-digitale/officina/kiosk/people"
	"github.com/officina-digitale/officina/kiosk/seal"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/kiosk/status"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/kiosk/supervise"
)

func recordsCommands() []command {
	return []command{
		{"record", "record service|session: log a service or a volunteer session", recordCmd},
		{"ticket", "ticket take|call|done|list: the help queue", ticketCmd},
		{"loan", "loan out|back|list: devices lent to citizens", loanCmd},
		{"course", "course open|attend|close: group course sessions and attendance", courseCmd},
		{"staff", "staff add|list|login: the staff roster", staffCmd},
		{"export", "export setup|facilita|totals: the national monitoring export", exportCmd},
		{"demo", "demo seed --days N: fill a store with plausible activity", demoCmd},
	}
}

func recordsServices(k *kiosk, reg *metrics.Registry, st *status.Server) []supervise.Service {
	days := k.cfg.Privacy.RetentionDays
	if days <= 0 || k.records == nil {
		return nil
	}
	return []supervise.Service{{Name: "retention", Run: func(ctx context.Context) error {
		return retentionLoop(ctx, k, time.Duration(days)*24*time.Hour)
	}}}
}

// retentionLoop erases sealed personal data older than the retention limit,
// at start and then every six hours.
func retentionLoop(ctx context.Context, k *kiosk, keep time.Duration) error {
	t := time.NewTicker(6 * time.Hour)
	defer t.Stop()
	for {
		res, err := k.records.people.Erase(ctx, k.clock.Now().Add(-keep))
		if err != nil {
			return fmt.Errorf("retention: %w", err)
		}
		if res.Citizens > 0 || res.Events > 0 {
			k.log.Info("retention limit erased sealed personal data", "citizens", res.Citizens, "events", res.Events, "before", res.Before)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func recordsSchemas() []store.Schema {
	return []store.Schema{people.Schema, staff.Schema, assistance.Schema}
}

// recordsArea holds what the records area opens for a running kiosk; the UI and the
// services reach it through k.records.
type recordsArea struct {
	people  *people.Registry
	roster  *staff.Roster
	desk    *assistance.Desk
	sealer  *seal.Sealer // nil until an export key exists
	keyFile string
	cfg     config.Records
	// hubSealed is set once enrolled: personal data is sealed to the hub's
	// key, and only the hub can export it.
	hubSealed bool
}

func openRecords(ctx context.Context, k *kiosk) (*recordsArea, error) {
	return openRecordsOn(k.store, k.cfg)
}

func openRecordsOn(st *store.Store, cfg config.Config) (*recordsArea, error) {
	rc := cfg.Records
	a := &recordsArea{cfg: rc, keyFile: rc.ExportKeyFile}
	if a.keyFile == "" {
		a.keyFile = filepath.Join(cfg.DataDir, "export-key.json")
	}
	secretFile := rc.SecretFile
	if secretFile == "" {
		secretFile = filepath.Join(cfg.DataDir, "citizen-secret.key")
	}
	dep, err := loadDeployment(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	// Once enrolled, citizens are pseudonymised under the deployment's
	// secret (the same on every kiosk, so a citizen counts once) and sealed
	// to the hub's key; before, under a device-local secret and to the key
	// configured or set up here (sync_deployment.go).
	var secret []byte
	if dep != nil {
		secret = dep.secret
	} else if secret, err = loadOrCreateSecret(secretFile); err != nil {
		return nil, err
	}
	switch {
	case dep != nil:
		pk, err := seal.PublicKey(dep.sealKey)
		if err != nil {
			return nil, err
		}
		a.sealer = seal.NewSealer(pk, 24*time.Hour, st.Clock().Now)
		a.hubSealed = true
	case rc.ExportPublicKey != "":
		pk, err := seal.ParsePublicKey(rc.ExportPublicKey)
		if err != nil {
			return nil, err
		}
		a.sealer = seal.NewSealer(pk, 24*time.Hour, st.Clock().Now)
	default:
		if kf, err := seal.LoadKeyFile(a.keyFile); err == nil {
			pk, err := kf.PublicKey()
			if err != nil {
				return nil, err
			}
			a.sealer = seal.NewSealer(pk, 24*time.Hour, st.Clock().Now)
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	loc, err := time.LoadLocation(rc.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("records.time_zone %q: %w", rc.TimeZone, err)
	}
	a.people, err = people.New(st, people.Options{Secret: secret, Sealer: a.sealer, MinorsAllowed: rc.MinorsAllowed})
	if err != nil {
		return nil, err
	}
	a.roster = staff.New(st)
	a.desk, err = assistance.New(st, a.people, a.roster, assistance.Options{
		Site: assistance.Site{ID: rc.SiteID, Name: rc.SiteName}, Notice: rc.PrivacyNotice, Location: loc,
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (a *recordsArea) Close() error { return nil }

// loadOrCreateSecret reads the deployment secret, creating a random one on
// first start.
func loadOrCreateSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if len(b) < 32 {
			return nil, fmt.Errorf("deployment secret %s is shorter than 32 bytes", path)
		}
		return b, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read deployment secret: %w", err)
	}
	b = make([]byte, 32)
	rand.Read(b)
	if err := atomicfile.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("create deployment secret: %w", err)
	}
	return b, nil
}

// withKiosk parses the common flags plus the command's, opens the kiosk and
// runs fn.
func withKiosk(ctx context.Context, e *env, fs *flag.FlagSet, args []string, fn func(k *kiosk) error) error {
	fs.SetOutput(e.stderr)
	var c common
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	cfg, err := c.load(e)
	if err != nil {
		return err
	}
	k, err := openKiosk(ctx, cfg, newLogger(cfg, e))
	if err != nil {
		return err
	}
	defer k.Close()
	return fn(k)
}

func sub(args []string, usage string, names ...string) (string, []string, error) {
	if len(args) > 0 {
		for _, n := range names {
			if args[0] == n {
				return n, args[1:], nil
			}
		}
	}
	return "", nil, fmt.Errorf("%w: %s", errUsage, usage)
}

// parseMinutes reads "00:30" or a Go duration such as "25m".
func parseMinutes(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if len(s) == 5 && s[2] == ':' {
		h, err1 := strconv.Atoi(s[:2])
		m, err2 := strconv.Atoi(s[3:])
		if err1 == nil && err2 == nil && m < 60 && h >= 0 && m >= 0 {
			return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%w: duration %q: write HH:MM (00:30) or 30m", errUsage, s)
	}
	return d, nil
}

func parseDate(s, flagName string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return d, fmt.Errorf("%w: --%s %q: write the date as YYYY-MM-DD", errUsage, flagName, s)
	}
	return d, nil
}

func splitCodes(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		out = append(out, strings.ToUpper(p))
	}
	return out
}

func splitInts(s string) ([]int, error) {
	var out []int
	for _, p := range splitCodes(s) {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("%w: competence %q is not a number 1-13", errUsage, p)
		}
		out = append(out, n)
	}
	return out, nil
}

// personFlags are the flags that identify a citizen.
type personFlags struct {
	cf, first, last, docType, docNumber, gender, ageBand *string
}

func addPersonFlags(fs *flag.FlagSet, names bool) personFlags {
	p := personFlags{
		cf:        fs.String("cf", "", "codice fiscale, typed or as the health-card barcode gives it"),
		docType:   fs.String("doc-type", "", "without a CF: ID document type (A identity card, B driving licence, C passport, D residence permit, E other)"),
		docNumber: fs.String("doc-number", "", "without a CF: ID document number"),
	}
	if names {
		p.first = fs.String("first", "", "first name (AN1)")
		p.last = fs.String("last", "", "surname (AN2)")
		p.gender = fs.String("gender", "", "AN7: A F, B M, C non-binary, D prefers not to say (derived from the CF when empty)")
		p.ageBand = fs.String("age-band", "", "AN8, only without a CF: A 18-29, B 30-54, C 55-74, D 75+")
	}
	return p
}

func (p personFlags) person() people.Person {
	out := people.Person{CF: *p.cf, DocType: strings.ToUpper(*p.docType), DocNumber: *p.docNumber}
	if p.first != nil {
		out.FirstName, out.Surname = *p.first, *p.last
		out.Gender, out.AgeBand = strings.ToUpper(*p.gender), strings.ToUpper(*p.ageBand)
	}
	return out
}

func recordCmd(ctx context.Context, e *env, args []string) error {
	name, args, err := sub(args, "officina record service|session [flags]", "service", "session")
	if err != nil {
		return err
	}
	if name == "session" {
		return recordSessionCmd(ctx, e, args)
	}
	fs := flag.NewFlagSet("record service", flag.ContinueOnError)
	pf := addPersonFlags(fs, true)
	education := fs.String("education", "", "AN9 highest education A-L (asked once, remembered)")
	employment := fs.String("employment", "", "AN10 employment A-H (asked once, remembered)")
	citizenship := fs.String("citizenship", "", "AN11 citizenship: A Italian, B other EU, C non-EU (asked once, remembered)")
	province := fs.String("province", "", "AN12 province of domicile, e.g. GE (asked once, remembered)")
	staffID := fs.String("staff", "", "facilitator's national ID (IDFacilitatore)")
	date := fs.String("date", "", "service date YYYY-MM-DD (default today)")
	dur := fs.String("duration", "", "duration HH:MM or e.g. 25m")
	firstTime := fs.Bool("first-time", false, "PR1: first time using a facilitation or training service")
	usedBefore := fs.String("used-before", "", "PR2: service types used before, e.g. A:C")
	types := fs.String("type", "A", "SE3 service type(s): A individual, B group, C in-person training, D online training, E other")
	se5 := fs.String("se5", "", "SE5 competence(s) 1-13, e.g. 9 or 9:6")
	se6 := fs.String("se6", "", "SE6 public-service domain(s) A-S, e.g. A or A:L")
	details := fs.String("details", "", "SE7 free-text details (at most 600 characters)")
	guide := fs.String("guide", "", "id of the e-service guide used")
	consent := fs.String("consent", "", "how the privacy notice was acknowledged now: screen, paper, verbal, phone")
	return withKiosk(ctx, e, fs, args, func(k *kiosk) error {
		d, err := parseMinutes(*dur)
		if err != nil {
			return err
		}
		if d == 0 {
			return fmt.Errorf("%w: --duration is required (HH:MM)", errUsage)
		}
		day, err := parseDate(*date, "date")
		if err != nil {
			return err
		}
		comps, err := splitInts(*se5)
		if err != nil {
			return err
		}
		rec, err := k.records.desk.RecordService(ctx, assistance.ServiceInput{
			Person: pf.person(),
			Profile: people.Profile{Education: strings.ToUpper(*education), Employment: strings.ToUpper(*employment),
				Citizenship: strings.ToUpper(*citizenship), Province: strings.ToUpper(*province)},
			Staff: *staffID, Date: day, Duration: d, FirstTime: *firstTime, UsedBefore: splitCodes(*usedBefore),
			ServiceTypes: splitCodes(*types), Competences: comps, Domains: splitCodes(*se6), Details: *details,
			Guide: *guide, ConsentMethod: strings.ToLower(*consent),
		})
		if err != nil {
			return err
		}
		who := "new citizen"
		if rec.Returning {
			who = "returning citizen"
		}
		fmt.Fprintf(e.stdout, "recorded service %d on %s, %s: %s (gender %s, age band %s), SE4 %s, privacy notice %s\n",
			rec.Seq, rec.Date, rec.Duration, who, rec.Gender, rec.AgeBand, strings.Join(rec.Areas, ":"), rec.Consent)
		return nil
	})
}

type multiString []string

func (m *multiString) String() string     { return strings.Join(*m, ",") }
func (m *multiString) Set(v string) error { *m = append(*m, v); return nil }

func recordSessionCmd(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("record session", flag.ContinueOnError)
	vol := fs.String("volunteer", "", "volunteer's national ID")
	var cfs, docs multiString
	fs.Var(&cfs, "cf", "a participant's codice fiscale (repeatable)")
	fs.Var(&docs, "doc", "a participant without a CF, as TYPE:NUMBER, e.g. A:CA1234567 (repeatable)")
	topics := fs.String("topics", "", "topics covered, comma-separated")
	dur := fs.String("duration", "", "time spent, HH:MM")
	date := fs.String("date", "", "date YYYY-MM-DD (default today)")
	return withKiosk(ctx, e, fs, args, func(k *kiosk) error {
		d, err := parseMinutes(*dur)
		if err != nil {
			return err
		}
		day, err := parseDate(*date, "date")
		if err != nil {
			return err
		}
		var ps []people.Person
		for _, c := range cfs {
			ps = append(ps, people.Person{CF: c})
		}
		for _, doc := range docs {
			t, n, ok := strings.Cut(doc, ":")
			if !ok {
				return fmt.Errorf("%w: --doc %q: write TYPE:NUMBER", errUsage, doc)
			}
			ps = append(ps, people.Person{DocType: strings.ToUpper(t), DocNumber: n})
		}
		s, err := k.records.desk.RecordSession(ctx, assistance.SessionInput{Volunteer: *vol, Participants: ps,
			Topics: strings.Split(*topics, ","), Date: day, Duration: d})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "recorded volunteer session on %s: %d participants, %d minutes, topics: %s\n",
			s.Date, len(s.Participants), s.Minutes, strings.Join(s.Topics, ", "))
		return nil
	})
}

func ticketCmd(ctx context.Context, e *env, args []string) error {
	name, args, err := sub(args, "officina ticket take|call|done|list [flags]", "take", "call", "done", "list")
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("ticket "+name, flag.ContinueOnError)
	staffID := fs.String("staff", "", "facilitator's national ID (call, done)")
	return withKiosk(ctx, e, fs, args, func(k *kiosk) error {
		desk := k.records.desk
		switch name {
		case "take":
			t, err := desk.TakeTicket(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "ticket %d: %d ahead, about %d minutes\n", t.Number, t.Ahead, int(t.Wait.Minutes()))
		case "call":
			t, err := desk.CallNext(ctx, *staffID)
			if errors.Is(err, assistance.ErrQueueEmpty) {
				fmt.Fprintln(e.stdout, "nobody is waiting")
				return nil
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "calling ticket %d (waited %d minutes)\n", t.Number, int(t.Called.Sub(t.Taken).Minutes()))
		case "done":
			if err := desk.FinishTicket(ctx, *staffID); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "done")
		case "list":
			q, err := desk.Queue(ctx)
			if err != nil {
				return err
			}
			if len(q) == 0 {
				fmt.Fprintln(e.stdout, "nobody is waiting")
			}
			for _, t := range q {
				if t.State == assistance.Called {
					fmt.Fprintf(e.stdout, "%3d  being helped by %s\n", t.Number, t.Staff)
				} else {
					fmt.Fprintf(e.stdout, "%3d  waiting since %s, about %d minutes\n", t.Number, t.Taken.Format("15:04"), int(t.Wait.Minutes()))
				}
			}
		}
		return nil
	})
}

func loanCmd(ctx context.Context, e *env, args []string) error {
	name, args, err := sub(args, "officina loan out|back|list [flags]", "out", "back", "list")
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("loan "+name, flag.ContinueOnError)
	device := fs.String("device", "", "device label, e.g. TAB-03")
	staffID := fs.String("staff", "", "facilitator's national ID")
	pf := addPersonFlags(fs, false)
	dur := fs.String("for", "01:00", "loan length, HH:MM or e.g. 2h")
	return withKiosk(ctx, e, fs, args, func(k *kiosk) error {
		desk := k.records.desk
		switch name {
		case "out":
			d, err := parseMinutes(*dur)
			if err != nil {
				return err
			}
			l, err := desk.LendDevice(ctx, *device, pf.person(), *staffID, d)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s lent until %s\n", l.Device, l.Due.Format("2006-01-02 15:04"))
		case "back":
			l, err := desk.ReturnDevice(ctx, *device, *staffID)
			if err != nil {
				return err
			}
			late := ""
			if l.Overdue {
				late = fmt.Sprintf(", %d minutes late", int(l.Back.Sub(l.Due).Minutes()))
			}
			fmt.Fprintf(e.stdout, "%s returned%s\n", l.Device, late)
		case "list":
			ls, err := desk.Loans(ctx)
			if err != nil {
				return err
			}
			if len(ls) == 0 {
				fmt.Fprintln(e.stdout, "no device is out")
			}
			for _, l := range ls {
				flag := ""
				if l.Overdue {
					flag = "  OVERDUE"
				}
				fmt.Fprintf(e.stdout, "%-8s citizen %s…  due %s%s\n", l.Device, l.Citizen[:8], l.Due.Format("2006-01-02 15:04"), flag)
			}
		}
		return nil
	})
}

func courseCmd(ctx context.Context, e *env, args []string) error {
	name, args, err := sub(args, "officina course open|attend|close [flags]", "open", "attend", "close")
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("course "+name, flag.ContinueOnError)
	title := fs.String("title", "", "course title (open)")
	staffID := fs.String("staff", "", "facilitator's national ID (open)")
	course := fs.Uint64("course", 0, "course session number (attend, close)")
	se5 := fs.String("se5", "", "SE5 competence(s) the course covers, e.g. 4:11 (open; with --se6, closing records a training service per known attendee)")
	se6 := fs.String("se6", "", "SE6 domain(s), e.g. S (open)")
	pf := addPersonFlags(fs, false)
	return withKiosk(ctx, e, fs, args, func(k *kiosk) error {
		desk := k.records.desk
		switch name {
		case "open":
			comps, err := splitInts(*se5)
			if err != nil {
				return err
			}
			c, err := desk.OpenCourse(ctx, assistance.CourseInput{Title: *title, Staff: *staffID, Competences: comps, Domains: splitCodes(*se6)})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "course session %d open: %s\n", c.ID, c.Title)
		case "attend":
			added, err := desk.Attend(ctx, *course, pf.person())
			if err != nil {
				return err
			}
			if added {
				fmt.Fprintln(e.stdout, "attendance marked")
			} else {
				fmt.Fprintln(e.stdout, "already marked present")
			}
		case "close":
			c, err := desk.CloseCourse(ctx, *course)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "course session %d closed: %d attendees, %d training services recorded\n", c.ID, c.Attendees, c.Services)
			for _, u := range c.Unrecorded {
				fmt.Fprintln(e.stdout, "  not recorded as a service:", u)
			}
		}
		return nil
	})
}

func staffCmd(ctx context.Context, e *env, args []string) error {
	name, args, err := sub(args, "officina staff add|list|login [flags]", "add", "list", "login")
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("staff "+name, flag.ContinueOnError)
	id := fs.String("id", "", "national facilitator ID (add)")
	nm := fs.String("name", "", "full name as registered nationally (add)")
	role := fs.String("role", staff.Facilitator, "facilitator, volunteer or coordinator (add)")
	card := fs.String("card", "", "staff card UID")
	pin := fs.String("pin", "", "PIN, 4-8 digits (read from standard input when empty)")
	return withKiosk(ctx, e, fs, args, func(k *kiosk) error {
		r := k.records.roster
		readPIN := func() (string, error) {
			if *pin != "" {
				return *pin, nil
			}
			fmt.Fprint(e.stderr, "PIN: ")
			return readLine(e)
		}
		switch name {
		case "add":
			p, err := readPIN()
			if err != nil {
				return err
			}
			h, err := staff.HashPIN(p, 0)
			if err != nil {
				return err
			}
			m := staff.Member{ID: *id, Name: *nm, Role: *role, Card: *card, Active: true}
			if err := r.Put(ctx, m, h); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s %s (%s) added\n", m.Role, m.Name, m.ID)
		case "list":
			ms, err := r.List(ctx)
			if err != nil {
				return err
			}
			for _, m := range ms {
				fmt.Fprintf(e.stdout, "%-14s %-12s %s\n", m.ID, m.Role, m.Name)
			}
		case "login":
			p, err := readPIN()
			if err != nil {
				return err
			}
			m, err := r.Login(ctx, *card, p)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "welcome, %s (%s)\n", m.Name, m.Role)
		}
		return nil
	})
}

func readLine(e *env) (string, error) {
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if err != nil && line == "" {
		return "", fmt.Errorf("nothing read from standard input")
	}
	return line, nil
}

// passphrase is OFFICINA_PASSPHRASE or a line from standard input.
func passphrase(e *env, prompt string) (string, error) {
	if p := lookupEnv(e.environ, "OFFICINA_PASSPHRASE"); p != "" {
		return p, nil
	}
	fmt.Fprint(e.stderr, prompt)
	return readLine(e)
}

func exportCmd(ctx context.Context, e *env, args []string) error {
	name, args, err := sub(args, "officina export setup|facilita|totals [flags]", "setup", "facilita", "totals")
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("export "+name, flag.ContinueOnError)
	from := fs.String("from", "", "first service date, YYYY-MM-DD")
	to := fs.String("to", "", "last service date, YYYY-MM-DD")
	out := fs.String("out", "", "directory for the CSV files (facilita)")
	return withKiosk(ctx, e, fs, args, func(k *kiosk) error {
		a := k.records
		if name == "setup" {
			return exportSetup(e, a)
		}
		f, err := parseDate(*from, "from")
		if err != nil {
			return err
		}
		t, err := parseDate(*to, "to")
		if err != nil {
			return err
		}
		if f.IsZero() || t.IsZero() {
			return fmt.Errorf("%w: give the period with --from YYYY-MM-DD --to YYYY-MM-DD", errUsage)
		}
		if name == "totals" {
			tot, err := a.desk.Totals(ctx, f, t)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s to %s: %d services delivered, %d unique citizens, %s of facilitation\n",
				*from, *to, tot.Services, tot.UniqueCitizens, (time.Duration(tot.Minutes) * time.Minute).String())
			return nil
		}
		return exportFacilita(ctx, e, k, f, t, *out)
	})
}

func exportSetup(e *env, a *recordsArea) error {
	if a.hubSealed {
		return errors.New("this kiosk is enrolled: personal data is sealed to the hub's key; export from the hub (officina-hub export facilita)")
	}
	if a.cfg.ExportPublicKey != "" {
		return errors.New("this kiosk seals personal data to the hub's key (records.export_public_key): export from the hub instead")
	}
	if _, err := os.Stat(a.keyFile); err == nil {
		return fmt.Errorf("an export key already exists at %s; it is never replaced, or the data sealed to it could not be exported", a.keyFile)
	}
	p, err := passphrase(e, "new coordinator passphrase (at least 10 characters): ")
	if err != nil {
		return err
	}
	kf, err := seal.NewKeyFile(p, 0)
	if err != nil {
		return err
	}
	if err := kf.Save(a.keyFile); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "export key created at %s; keep the passphrase safe: without it nothing can be exported\n", a.keyFile)
	return nil
}
