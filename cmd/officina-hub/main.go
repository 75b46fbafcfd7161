// Command officina-hub is the central server: sync API, content publisher,
// reports and the fleet view. See docs/sync-protocol.md.
//
// With no configuration it keeps a SQLite database and its keys in its data
// directory and listens on 127.0.0.1:8470 over TLS with a self-signed
// certificate that kiosks pin when they enrol.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/sync/apply"
	"github.com/officina-digitale/officina/sync/hub"
	"github.com/officina-digitale/officina/sync/wire"
)

var version = "dev"

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

var errUsage = errors.New("usage")

type command struct {
	name, summary string
	run           func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the sync API (the default)", serveCmd},
		{"enroll-code", "create a one-time enrolment code: enroll-code --site ID", enrollCodeCmd},
		{"devices", "list the kiosks: last contact, backlog, version, clock offset, trouble", devicesCmd},
		{"revoke", "refuse a kiosk from now on: revoke DEVICE-ID", revokeCmd},
		{"notice", "notice add --text TEXT [--site ID] [--from DATE] [--until DATE]", noticeCmd},
		{"roster", "roster set --site ID FILE.json (staff: id, name, card, pin_hash, role) | roster pin-hash < PIN", rosterCmd},
		{"settings", "settings set --site ID key=value… (the site's settings for its kiosks)", settingsCmd},
		{"content", "content publish DIR: check, pack, sign and publish a course directory (or a packed bundle)", contentCmd},
		{"export", "export facilita --from DATE --to DATE --out DIR: the national monitoring CSV from every kiosk", exportCmd},
		{"version", "print the version", func(ctx context.Context, e *env, args []string) error {
			fmt.Fprintf(e.stdout, "officina-hub %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		}},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}

func realMain(ctx context.Context, e *env, args []string) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		usage(e.stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, e, args)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintln(e.stderr, "officina-hub:", err)
			return 2
		default:
			fmt.Fprintln(e.stderr, "officina-hub:", err)
			return 1
		}
	}
	fmt.Fprintf(e.stderr, "officina-hub: unknown command %q\n", name)
	usage(e.stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: officina-hub [command] [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
}

// defaultDataDir mirrors the kiosk's: $STATE_DIRECTORY, then
// $XDG_DATA_HOME/officina-hub, then ~/.local/share/officina-hub.
func defaultDataDir() string {
	if d := os.Getenv("STATE_DIRECTORY"); d != "" {
		return strings.Split(d, ":")[0]
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "officina-hub")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "officina-hub")
	}
	return "/var/lib/officina-hub"
}

// opened is the hub's data directory, opened.
type opened struct {
	dir   string
	store *hub.SQLiteStore
	keys  *hub.Keys
	blobs *bundle.Blobs
}

func open(ctx context.Context, dir string, hosts []string) (*opened, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	keys, err := hub.LoadOrCreateKeys(filepath.Join(dir, "keys"), hosts)
	if err != nil {
		return nil, err
	}
	blobs, err := bundle.OpenBlobs(filepath.Join(dir, "blobs"))
	if err != nil {
		return nil, err
	}
	st, err := hub.OpenSQLite(ctx, filepath.Join(dir, "hub.db"))
	if err != nil {
		return nil, err
	}
	return &opened{dir: dir, store: st, keys: keys, blobs: blobs}, nil
}

func flags(name string, e *env) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	data := fs.String("data", defaultDataDir(), "data directory (database, keys, blobs)")
	return fs, data
}

func serveCmd(ctx context.Context, e *env, args []string) error {
	fs, data := flags("serve", e)
	listen := fs.String("listen", "127.0.0.1:8470", "address to listen on")
	plain := fs.Bool("plain-http", false, "serve plain HTTP (only behind a TLS-terminating proxy or for tests)")
	rate := fs.Int("rate-limit", 600, "requests per device per minute")
	if err := fs.Parse(args); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(*listen)
	h, err := open(ctx, *data, []string{host})
	if err != nil {
		return err
	}
	defer h.store.Close()
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	srv := &http.Server{
		Handler:           hub.NewServer(h.store, h.keys, h.blobs, hub.Options{Logger: log, RateLimit: *rate}),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	scheme := "https"
	if *plain {
		scheme = "http"
	} else {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{h.keys.TLS}}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	log.Info("officina-hub listening", "url", scheme+"://"+ln.Addr().String(), "data", *data,
		"deployment", h.keys.Deployment(), "tls_pin", h.keys.TLSPin())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func enrollCodeCmd(ctx context.Context, e *env, args []string) error {
	fs, data := flags("enroll-code", e)
	site := fs.String("site", "", "the facilitation point's id (IDSede)")
	ttl := fs.Duration("ttl", 72*time.Hour, "how long the code stays valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *site == "" {
		return fmt.Errorf("%w: enroll-code --site ID", errUsage)
	}
	h, err := open(ctx, *data, nil)
	if err != nil {
		return err
	}
	defer h.store.Close()
	code, err := hub.NewEnrolCode(ctx, h.store, *site, *ttl, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, code)
	fmt.Fprintf(e.stderr, "one-time code for site %s, valid until %s\nhub TLS pin (for 'officina enroll --pin'): %s\n",
		*site, time.Now().Add(*ttl).Format("2006-01-02 15:04"), h.keys.TLSPin())
	return nil
}

func devicesCmd(ctx context.Context, e *env, args []string) error {
	fs, data := flags("devices", e)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	h, err := open(ctx, *data, nil)
	if err != nil {
		return err
	}
	defer h.store.Close()
	devs, err := h.store.Devices(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(devs)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tSITE\tNAME\tLAST CONTACT\tACKED\tBACKLOG\tVERSION\tCLOCK\tSTATE")
	now := time.Now()
	for _, d := range devs {
		contact := "never"
		if !d.LastContact.IsZero() {
			contact = now.Sub(d.LastContact).Round(time.Second).String() + " ago"
		}
		clk := "synced"
		if !d.ClockSynced {
			clk = "UNSYNCED"
		}
		clk += fmt.Sprintf(" %+.0fs", d.ClockOffset.Seconds())
		state := "ok"
		if d.Trouble != "" {
			state = d.Trouble
		}
		if !d.Revoked.IsZero() {
			state = "REVOKED " + d.Revoked.Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", d.ID, d.Site, d.Name, contact, d.Acked, d.Backlog, d.Version, clk, state)
	}
	return tw.Flush()
}

func revokeCmd(ctx context.Context, e *env, args []string) error {
	fs, data := flags("revoke", e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: revoke DEVICE-ID", errUsage)
	}
	h, err := open(ctx, *data, nil)
	if err != nil {
		return err
	}
	defer h.store.Close()
	if err := h.store.Revoke(ctx, fs.Arg(0), time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "revoked %s: its requests are now refused\n", fs.Arg(0))
	return nil
}

func parseWhen(s string, def time.Time) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q is not a date: write 2026-03-02 or 2026-03-02T09:00", errUsage, s)
}

func noticeCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("%w: notice add --text TEXT [--site ID] [--from DATE] [--until DATE]", errUsage)
	}
	fs, data := flags("notice add", e)
	text := fs.String("text", "", "what the kiosks show, e.g. \"Lunedì sportello SPID chiuso\"")
	site := fs.String("site", "", "only this site (default: every site)")
	from := fs.String("from", "", "first shown (default now)")
	until := fs.String("until", "", "shown until (default: 7 days after --from)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	f, err := parseWhen(*from, time.Now())
	if err != nil {
		return err
	}
	u, err := parseWhen(*until, f.AddDate(0, 0, 7))
	if err != nil {
		return err
	}
	h, err := open(ctx, *data, nil)
	if err != nil {
		return err
	}
	defer h.store.Close()
	n, err := h.store.AddNotice(ctx, wire.Notice{Text: *text, Site: *site, From: f, Until: u})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "notice %d shown from %s until %s\n", n.ID, f.Format("2006-01-02 15:04"), u.Format("2006-01-02 15:04"))
	return nil
}

func rosterCmd(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "pin-hash" {
		return pinHashCmd(e, args[1:])
	}
	if len(args) == 0 || args[0] != "set" {
		return fmt.Errorf("%w: roster set --site ID FILE.json | roster pin-hash < PIN", errUsage)
	}
	fs, data := flags("roster set", e)
	site := fs.String("site", "", "the site")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *site == "" || fs.NArg() != 1 {
		return fmt.Errorf("%w: roster set --site ID FILE.json", errUsage)
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	var rows []wire.StaffMember
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rows); err != nil {
		return fmt.Errorf("%s: want a JSON list of {\"id\", \"name\", \"card\", \"pin_hash\", \"role\"}: %w", fs.Arg(0), err)
	}
	// The kiosks refuse a roster with one bad row; refuse it here first.
	if err := staff.CheckEntries(apply.Entries(rows)); err != nil {
		return fmt.Errorf("%s: %w (make PIN hashes with 'officina-hub roster pin-hash')", fs.Arg(0), err)
	}
	h, err := open(ctx, *data, nil)
	if err != nil {
		return err
	}
	defer h.store.Close()
	r, err := h.store.SetRoster(ctx, *site, rows)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "roster version %d for %s: %d staff\n", r.Version, *site, len(r.Staff))
	return nil
}

// pinHashCmd reads a PIN from standard input and prints its hash for the
// roster file: the hub never stores a PIN.
func pinHashCmd(e *env, args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("%w: roster pin-hash < PIN (the PIN on standard input)", errUsage)
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	pin := strings.TrimRight(line, "\r\n")
	if err != nil && pin == "" {
		return fmt.Errorf("%w: give the PIN on standard input", errUsage)
	}
	if err := staff.ValidPIN(pin); err != nil {
		return err
	}
	hash, err := staff.HashPIN(pin, 0)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, hash)
	return nil
}

func settingsCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "set" {
		return fmt.Errorf("%w: settings set --site ID key=value…", errUsage)
	}
	fs, data := flags("settings set", e)
	site := fs.String("site", "", "the site")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *site == "" || fs.NArg() == 0 {
		return fmt.Errorf("%w: settings set --site ID key=value…", errUsage)
	}
	h, err := open(ctx, *data, nil)
	if err != nil {
		return err
	}
	defer h.store.Close()
	cur, err := h.store.SiteConfig(ctx, *site)
	if err != nil {
		return err
	}
	settings := map[string]string{}
	for k, v := range cur.Settings {
		settings[k] = v
	}
	for _, kv := range fs.Args() {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("%w: %q is not key=value", errUsage, kv)
		}
		if v == "" {
			delete(settings, k)
		} else {
			settings[k] = v
		}
	}
	c, err := h.store.SetSiteConfig(ctx, *site, settings)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "settings version %d for %s: %d keys\n", c.Version, *site, len(c.Settings))
	return nil
}
