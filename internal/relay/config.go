package relay

import (
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/torgsite/torg/internal/relay/mailmsg"
)

// Duration is a time.Duration written in TOML as a Go duration string
// such as "5s", "30m" or "96h".
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: %w", b, err)
	}
	if v < 0 {
		return fmt.Errorf("duration %q is negative", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Config is relay.toml. See docs/relay.md for every key.
type Config struct {
	Listen     string   `toml:"listen"`
	Origins    []string `toml:"origins"`
	Recipients string   `toml:"recipients"`
	Layout     string   `toml:"layout"`
	Outbox     string   `toml:"outbox"`
	From       string   `toml:"from"`
	Bounce     string   `toml:"bounce"`
	Registrar  string   `toml:"registrar"`
	Fallback   string   `toml:"fallback"`
	Domains    []string `toml:"domains"`
	SecretEnv  string   `toml:"secret_env"`

	SiteName        string   `toml:"site_name"`
	SiteURL         string   `toml:"site_url"`
	PrivacyURL      string   `toml:"privacy_url"`
	ThanksURL       string   `toml:"thanks_url"`
	ReferencePrefix string   `toml:"reference_prefix"`
	Accessibility   string   `toml:"accessibility"`
	WebTeam         string   `toml:"web_team"`
	TrustedProxies  []string `toml:"trusted_proxies"`
	RequireOrigin   *bool    `toml:"require_origin"`
	ReloadInterval  Duration `toml:"reload_interval"`
	Timezone        string   `toml:"timezone"`
	LogFormat       string   `toml:"log_format"`

	SMTP      SMTPConfig      `toml:"smtp"`
	Retry     RetryConfig     `toml:"retry"`
	Limits    LimitsConfig    `toml:"limits"`
	Retention RetentionConfig `toml:"retention"`
	HTTP      HTTPConfig      `toml:"http"`
}

// SMTPConfig is the [smtp] table.
type SMTPConfig struct {
	Host         string   `toml:"host"`
	Port         int      `toml:"port"`
	TLS          string   `toml:"tls"`
	User         string   `toml:"user"`
	PasswordEnv  string   `toml:"password_env"`
	PasswordFile string   `toml:"password_file"`
	CAFile       string   `toml:"ca_file"`
	Helo         string   `toml:"helo"`
	Timeout      Duration `toml:"timeout"`
}

// RetryConfig is the [retry] table.
type RetryConfig struct {
	Initial Duration `toml:"initial"`
	Max     Duration `toml:"max"`
	GiveUp  Duration `toml:"give_up"`
	Scan    Duration `toml:"scan"`
	Workers int      `toml:"workers"`
}

// LimitsConfig is the [limits] table.
type LimitsConfig struct {
	BodyBytes            int64     `toml:"body_bytes"`
	MinFill              *Duration `toml:"min_fill"`
	MaxAge               Duration  `toml:"max_age"`
	PerIPBurst           int       `toml:"per_ip_burst"`
	PerIPInterval        Duration  `toml:"per_ip_interval"`
	PerRecipientBurst    int       `toml:"per_recipient_burst"`
	PerRecipientInterval Duration  `toml:"per_recipient_interval"`
}

// RetentionConfig is the [retention] table.
type RetentionConfig struct {
	DeliveryLog Duration `toml:"delivery_log"`
	Quarantine  Duration `toml:"quarantine"`
}

// HTTPConfig is the [http] table.
type HTTPConfig struct {
	ReadHeaderTimeout Duration `toml:"read_header_timeout"`
	ReadTimeout       Duration `toml:"read_timeout"`
	WriteTimeout      Duration `toml:"write_timeout"`
	IdleTimeout       Duration `toml:"idle_timeout"`
	ShutdownTimeout   Duration `toml:"shutdown_timeout"`
}

// MaxBodyBytes is the hard upper limit on a form post.
const MaxBodyBytes = 64 << 10

// LoadConfig reads and checks relay.toml. Relative paths in it are taken
// relative to the file's folder. Unknown keys are an error, so that a typo
// in a safety setting does not go unnoticed.
func LoadConfig(path string) (Config, error) {
	var c Config
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return c, fmt.Errorf("relay config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return c, fmt.Errorf("relay config %s: unknown keys: %s", path, strings.Join(keys, ", "))
	}
	base := filepath.Dir(path)
	for _, p := range []*string{&c.Recipients, &c.Layout, &c.Outbox, &c.SMTP.CAFile, &c.SMTP.PasswordFile} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(base, *p)
		}
	}
	if err := c.Check(); err != nil {
		return c, fmt.Errorf("relay config %s: %w", path, err)
	}
	return c, nil
}

// Check fills in defaults and validates c.
func (c *Config) Check() error {
	// Check normalises list entries in place: work on copies, so that a
	// Config value shared with a running server (tests, Retry) is never
	// written to.
	c.Origins = slices.Clone(c.Origins)
	c.Domains = slices.Clone(c.Domains)
	c.TrustedProxies = slices.Clone(c.TrustedProxies)
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8025"
	}
	if len(c.Origins) == 0 {
		bad("origins: list the site's own origin(s), e.g. [\"https://www.karlsborg.se\"]")
	}
	for i, o := range c.Origins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			bad("origins: %q is not an origin like https://www.example.se", o)
			continue
		}
		c.Origins[i] = strings.ToLower(u.Scheme + "://" + u.Host)
	}
	if c.Recipients == "" {
		bad("recipients: path of the recipient table written by torg build is required")
	}
	if c.Outbox == "" {
		bad("outbox: folder is required")
	}
	if _, err := mailmsg.ParseMailbox(c.From); err != nil {
		bad("from: %v", err)
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"bounce", &c.Bounce}, {"registrar", &c.Registrar}, {"fallback", &c.Fallback}} {
		if f.name == "fallback" && *f.v == "" {
			*f.v = c.Registrar
		}
		if !mailmsg.ValidAddress(*f.v) {
			bad("%s: a plain address like registrator@example.se is required", f.name)
		}
	}
	if len(c.Domains) == 0 {
		bad("domains: list the domains recipients may be in")
	}
	for i, d := range c.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if !mailmsg.ValidDomain(d) {
			bad("domains: %q is not a domain", d)
		}
		c.Domains[i] = d
	}
	if c.SecretEnv == "" {
		bad("secret_env: name of the environment variable holding the HMAC key is required")
	}
	if c.SiteName == "" {
		c.SiteName = "Webbplatsen"
	}
	if c.SiteURL == "" {
		c.SiteURL = "/"
	}
	if c.PrivacyURL == "" {
		c.PrivacyURL = strings.TrimRight(c.SiteURL, "/") + "/om-webbplatsen/personuppgifter/"
	}
	if c.ThanksURL != "" && !strings.HasPrefix(c.ThanksURL, "/") && !strings.HasPrefix(c.ThanksURL, "https://") && !strings.HasPrefix(c.ThanksURL, "http://") {
		bad("thanks_url: must be a path or an http(s) URL")
	}
	if c.ReferencePrefix == "" {
		c.ReferencePrefix = "TORG"
	}
	if len(c.TrustedProxies) == 0 {
		c.TrustedProxies = []string{"127.0.0.1/32", "::1/128"}
	}
	for _, p := range c.TrustedProxies {
		if _, err := parsePrefix(p); err != nil {
			bad("trusted_proxies: %v", err)
		}
	}
	if c.RequireOrigin == nil {
		t := true
		c.RequireOrigin = &t
	}
	if c.ReloadInterval == 0 {
		c.ReloadInterval = Duration(5 * time.Second)
	}
	if c.Timezone == "" {
		c.Timezone = "Europe/Stockholm"
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		bad("timezone: %v", err)
	}
	switch c.LogFormat {
	case "", "text", "json":
	default:
		bad("log_format: text or json")
	}

	s := &c.SMTP
	if s.Host == "" {
		bad("smtp.host is required")
	}
	if s.TLS == "" {
		s.TLS = "starttls"
	}
	switch s.TLS {
	case "starttls", "tls", "none":
	default:
		bad("smtp.tls: starttls, tls or none")
	}
	if s.Port == 0 {
		s.Port = map[string]int{"starttls": 587, "tls": 465, "none": 25}[s.TLS]
	}
	if s.PasswordEnv != "" && s.PasswordFile != "" {
		bad("smtp: set password_env or password_file, not both")
	}
	if s.User != "" && s.PasswordEnv == "" && s.PasswordFile == "" {
		bad("smtp: user set but neither password_env nor password_file")
	}
	if s.Timeout == 0 {
		s.Timeout = Duration(time.Minute)
	}

	r := &c.Retry
	if r.Initial == 0 {
		r.Initial = Duration(time.Minute)
	}
	if r.Max == 0 {
		r.Max = Duration(time.Hour)
	}
	if r.Max < r.Initial {
		bad("retry.max (%v) is below retry.initial (%v)", r.Max.D(), r.Initial.D())
	}
	if r.GiveUp == 0 {
		r.GiveUp = Duration(96 * time.Hour)
	}
	if r.Scan == 0 {
		r.Scan = Duration(5 * time.Second)
	}
	if r.Workers <= 0 {
		r.Workers = 2
	}

	l := &c.Limits
	if l.BodyBytes == 0 || l.BodyBytes > MaxBodyBytes {
		l.BodyBytes = MaxBodyBytes
	}
	if l.MinFill == nil {
		d := Duration(3 * time.Second)
		l.MinFill = &d
	}
	if l.MaxAge == 0 {
		l.MaxAge = Duration(24 * time.Hour)
	}
	if l.PerIPBurst == 0 {
		l.PerIPBurst = 5
	}
	if l.PerIPInterval == 0 {
		l.PerIPInterval = Duration(2 * time.Minute)
	}
	if l.PerRecipientBurst == 0 {
		l.PerRecipientBurst = 60
	}
	if l.PerRecipientInterval == 0 {
		l.PerRecipientInterval = Duration(10 * time.Second)
	}

	if c.Retention.DeliveryLog == 0 {
		c.Retention.DeliveryLog = Duration(365 * 24 * time.Hour)
	}
	if c.Retention.Quarantine == 0 {
		c.Retention.Quarantine = Duration(30 * 24 * time.Hour)
	}
	h := &c.HTTP
	for _, d := range []struct {
		v   *Duration
		def time.Duration
	}{{&h.ReadHeaderTimeout, 5 * time.Second}, {&h.ReadTimeout, 15 * time.Second}, {&h.WriteTimeout, 15 * time.Second}, {&h.IdleTimeout, 60 * time.Second}, {&h.ShutdownTimeout, 10 * time.Second}} {
		if *d.v == 0 {
			*d.v = Duration(d.def)
		}
	}
	return errors.Join(errs...)
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// smtpPassword reads the SMTP password from the environment or a file.
func (c *Config) smtpPassword(getenv func(string) string) (string, error) {
	switch {
	case c.SMTP.PasswordEnv != "":
		p := getenv(c.SMTP.PasswordEnv)
		if p == "" {
			return "", fmt.Errorf("smtp.password_env: environment variable %s is empty", c.SMTP.PasswordEnv)
		}
		return p, nil
	case c.SMTP.PasswordFile != "":
		b, err := os.ReadFile(c.SMTP.PasswordFile)
		if err != nil {
			return "", fmt.Errorf("smtp.password_file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return "", nil
}

func mustMailbox(s string) *mail.Address {
	a, err := mailmsg.ParseMailbox(s)
	if err != nil {
		panic(err)
	}
	return a
}
