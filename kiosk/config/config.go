// Package config is the kiosk's configuration: one TOML file whose every key
// has a documented default (docs/configuration.md), overridden by
// OFFICINA_* environment variables and then by command-line flags.
//
// An unknown key or a value of the wrong type is an error that names the
// file, the line and the key: a typo never silently becomes a default.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// Config is the whole kiosk configuration. Field tags give the TOML keys;
// the comment on each field is its documentation.
type Config struct {
	// Directory holding the database, device key, content and print queue.
	DataDir string `toml:"data_dir"`
	// Language shown at start and after an idle reset (it, en, ro, uk, sq).
	Language string `toml:"language"`
	// Name of this kiosk shown to staff and on the hub, e.g. "Biblioteca Berio, ingresso".
	Name string `toml:"name"`

	Log     Log     `toml:"log"`
	Status  Status  `toml:"status"`
	Hub     Hub     `toml:"hub"`
	UI      UI      `toml:"ui"`
	Privacy Privacy `toml:"privacy"`

	// Each area keeps its section in its own file (content.go, records.go,
	// hardware.go, sync.go).
	Content  Content  `toml:"content"`
	Records  Records  `toml:"records"`
	Hardware Hardware `toml:"hardware"`
	Sync     Sync     `toml:"sync"`
}

// Log configures structured logging.
type Log struct {
	// Minimum level: debug, info, warn or error.
	Level string `toml:"level"`
	// Output format: text or json.
	Format string `toml:"format"`
}

// Status configures the local status endpoint.
type Status struct {
	// Address of /healthz, /metrics and /status. Keep it on loopback; "" turns it off.
	Listen string `toml:"listen"`
}

// Hub configures the connection to officina-hub.
type Hub struct {
	// Base URL of the hub, e.g. "https://hub.example.org". Empty means offline mode.
	URL string `toml:"url"`
}

// UI configures the touchscreen.
type UI struct {
	// Seconds without a touch before the kiosk warns and then resets.
	IdleTimeout Duration `toml:"idle_timeout"`
	// How long the idle warning stays before the reset.
	IdleWarning Duration `toml:"idle_warning"`
	// Run full screen (true on a kiosk, false for development).
	Fullscreen bool `toml:"fullscreen"`
	// Show buttons that simulate card taps (library, health and staff card), for demos without a reader.
	DemoCards bool `toml:"demo_cards"`
	// Read lesson and guide text aloud when espeak-ng or recorded audio is available.
	ReadAloud bool `toml:"read_aloud"`
}

// Privacy configures retention of personal data.
type Privacy struct {
	// Days after which sealed personal data (names, codice fiscale) is erased; counts remain.
	RetentionDays int `toml:"retention_days"`
}

// Default returns the configuration used when no file, variable or flag
// says otherwise.
func Default() Config {
	return Config{
		DataDir:  DefaultDataDir(),
		Language: "it",
		Name:     "",
		Log:      Log{Level: "info", Format: "text"},
		Status:   Status{Listen: "127.0.0.1:7070"},
		UI: UI{
			IdleTimeout: Duration(120 * time.Second),
			IdleWarning: Duration(30 * time.Second),
			Fullscreen:  true,
			DemoCards:   true,
			ReadAloud:   true,
		},
		Privacy:  Privacy{RetentionDays: 730},
		Content:  defaultContent(),
		Records:  defaultRecords(),
		Hardware: defaultHardware(),
		Sync:     defaultSync(),
	}
}

// DefaultDataDir is $STATE_DIRECTORY when systemd runs the kiosk as a
// service (/var/lib/officina), else $XDG_DATA_HOME/officina, else
// ~/.local/share/officina.
func DefaultDataDir() string {
	if d := os.Getenv("STATE_DIRECTORY"); d != "" {
		return strings.Split(d, ":")[0]
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "officina")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "officina")
	}
	return "/var/lib/officina"
}

// DefaultPath is where the configuration file is looked for when --config
// and OFFICINA_CONFIG are not given: the first of
// $XDG_CONFIG_HOME/officina/officina.toml (or ~/.config/…) and
// /etc/officina/officina.toml that exists, else "".
func DefaultPath() string {
	var candidates []string
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		candidates = append(candidates, filepath.Join(d, "officina", "officina.toml"))
	} else if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".config", "officina", "officina.toml"))
	}
	candidates = append(candidates, "/etc/officina/officina.toml")
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	return ""
}

// Duration is a time.Duration written in TOML as a string such as "120s" or
// "2m".
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalText writes the duration as Go duration text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads Go duration text ("90s", "2m30s").
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration: write it like \"120s\" or \"2m\"", b)
	}
	if v < 0 {
		return fmt.Errorf("%q: a duration cannot be negative", b)
	}
	*d = Duration(v)
	return nil
}

// Load returns the defaults overlaid with the file at path ("" for none).
func Load(path string) (Config, error) {
	c := Default()
	if path == "" {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	if err := decode(path, data, &c); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func decode(path string, data []byte, c *Config) error {
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(c)
	if err == nil {
		return nil
	}
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		var msgs []string
		for _, e := range strict.Errors {
			row, _ := e.Position()
			msgs = append(msgs, fmt.Sprintf("%s:%d: unknown key %q (see docs/configuration.md for the keys)", path, row, strings.Join(e.Key(), ".")))
		}
		return errors.New("config: " + strings.Join(msgs, "\n"))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, _ := de.Position()
		key := strings.Join(de.Key(), ".")
		if key != "" {
			return fmt.Errorf("config: %s:%d: key %q: %v", path, row, key, de)
		}
		return fmt.Errorf("config: %s:%d: %v", path, row, de)
	}
	return fmt.Errorf("config: %s: %w", path, err)
}

// Validate checks values that parse but make no sense.
func (c Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("config: data_dir is empty"))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("config: log.level %q: use debug, info, warn or error", c.Log.Level))
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("config: log.format %q: use text or json", c.Log.Format))
	}
	if c.UI.IdleTimeout.D() < 10*time.Second {
		errs = append(errs, fmt.Errorf("config: ui.idle_timeout %s is too short for a person to read a screen; use at least 10s", c.UI.IdleTimeout.D()))
	}
	if c.UI.IdleWarning.D() < 5*time.Second {
		errs = append(errs, fmt.Errorf("config: ui.idle_warning %s leaves no time to tap \"I need more time\"; use at least 5s", c.UI.IdleWarning.D()))
	}
	if c.Privacy.RetentionDays < 1 {
		errs = append(errs, fmt.Errorf("config: privacy.retention_days must be at least 1"))
	}
	errs = append(errs, c.Content.validate()...)
	errs = append(errs, c.Records.validate()...)
	errs = append(errs, c.Hardware.validate()...)
	errs = append(errs, c.Sync.validate()...)
	return errors.Join(errs...)
}

// Set assigns a value given as text to the key (as in the TOML file, e.g.
// "status.listen"). Environment variables and flags use it.
func (c *Config) Set(key, value string) error {
	f, ok := fieldByKey(reflect.ValueOf(c).Elem(), key)
	if !ok {
		return fmt.Errorf("config: unknown key %q (see docs/configuration.md)", key)
	}
	if tu, ok := f.Addr().Interface().(interface{ UnmarshalText([]byte) error }); ok {
		if err := tu.UnmarshalText([]byte(value)); err != nil {
			return fmt.Errorf("config: %s: %v", key, err)
		}
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(value)
	case reflect.Bool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("config: %s: %q is not true or false", key, value)
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("config: %s: %q is not a whole number", key, value)
		}
		f.SetInt(n)
	case reflect.Float64:
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return fmt.Errorf("config: %s: %q is not a number", key, value)
		}
		f.SetFloat(n)
	default:
		return fmt.Errorf("config: %s cannot be set from text; set it in the file", key)
	}
	return nil
}

// Keys lists every settable key, in file order.
func Keys() []string {
	var keys []string
	walk(reflect.TypeOf(Config{}), "", func(key string, _ reflect.StructField) { keys = append(keys, key) })
	return keys
}

// EnvName is the environment variable that overrides key:
// "status.listen" → OFFICINA_STATUS_LISTEN.
func EnvName(key string) string {
	return "OFFICINA_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// ApplyEnv overrides c with every OFFICINA_* variable in environ that names
// a key. An OFFICINA_* variable that names no key is an error, like a typo
// in the file. OFFICINA_CONFIG and OFFICINA_PASSPHRASE are not keys and are
// left alone.
func (c *Config) ApplyEnv(environ []string) error {
	byEnv := map[string]string{}
	for _, k := range Keys() {
		byEnv[EnvName(k)] = k
	}
	var errs []error
	sort.Strings(environ)
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "OFFICINA_") || name == "OFFICINA_CONFIG" || name == "OFFICINA_PASSPHRASE" {
			continue
		}
		key, ok := byEnv[name]
		if !ok {
			errs = append(errs, fmt.Errorf("config: environment variable %s names no configuration key", name))
			continue
		}
		if err := c.Set(key, value); err != nil {
			errs = append(errs, fmt.Errorf("%w (from %s)", err, name))
		}
	}
	return errors.Join(errs...)
}

// TOML renders c as a configuration file.
func (c Config) TOML() ([]byte, error) {
	var buf bytes.Buffer
	enc := toml.NewEncoder(&buf)
	enc.SetIndentTables(true)
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("config: encode: %w", err)
	}
	return buf.Bytes(), nil
}

func walk(t reflect.Type, prefix string, fn func(key string, f reflect.StructField)) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("toml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		key := prefix + tag
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(Duration(0)) {
			walk(f.Type, key+".", fn)
			continue
		}
		fn(key, f)
	}
}

func fieldByKey(v reflect.Value, key string) (reflect.Value, bool) {
	head, rest, nested := strings.Cut(key, ".")
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if strings.Split(t.Field(i).Tag.Get("toml"), ",")[0] != head {
			continue
		}
		f := v.Field(i)
		if nested {
			if f.Kind() != reflect.Struct {
				return reflect.Value{}, false
			}
			return fieldByKey(f, rest)
		}
		if f.Kind() == reflect.Struct && f.Type() != reflect.TypeOf(Duration(0)) {
			return reflect.Value{}, false
		}
		return f, true
	}
	return reflect.Value{}, false
}
