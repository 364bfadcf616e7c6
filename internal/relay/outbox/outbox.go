// Package outbox is the relay's durable spool. An accepted message is one
// JSON file that is written to a temporary file, fsynced, renamed into
// queue/ and made durable by fsyncing the folder before the citizen is told
// it was received. Messages that cannot be delivered move to dead/ until the
// fallback mailbox has them; files that cannot be read are moved to
// quarantine/ and never deleted silently. A delivered message is deleted; an
// append-only delivery log keeps reference, time, recipient id and outcome,
// never content.
//
// Layout of the outbox folder:
//
//	queue/REF.json       waiting for delivery
//	dead/REF.json        permanently failed, waiting for the fallback mailbox
//	tmp/                 files being written (anything here at start is half-written)
//	quarantine/          unreadable files, kept for the operator
//	counter.json         reference-number reservation
//	delivery.log         JSON lines: time, reference, recipient, outcome
package outbox

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// State is a folder a message can be in.
type State string

// Message states.
const (
	Queue State = "queue"
	Dead  State = "dead"
)

const (
	dirTmp        = "tmp"
	dirQuarantine = "quarantine"
	counterFile   = "counter.json"
	logFile       = "delivery.log"
	reserveBlock  = 64
)

// ErrCorrupt is returned by Load for a file that could not be decoded; the
// file has been moved to quarantine.
var ErrCorrupt = errors.New("outbox: corrupt message file (quarantined)")

// ErrNotFound is returned when a message is not (or no longer) in the
// given state.
var ErrNotFound = errors.New("outbox: message not found")

// Address is a recipient mailbox resolved from the recipient table when the
// message was accepted.
type Address struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

// DeadInfo says why a message is in dead/.
type DeadInfo struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Message is one accepted form submission.
type Message struct {
	Reference     string    `json:"reference"`
	MessageID     string    `json:"message_id"`
	Created       time.Time `json:"created"`
	Queued        time.Time `json:"queued"` // start of the current give-up window
	Form          string    `json:"form"`
	RecipientID   string    `json:"recipient_id"`
	RecipientName string    `json:"recipient_name,omitempty"`
	To            []Address `json:"to"`
	Name          string    `json:"name,omitempty"`
	Email         string    `json:"email,omitempty"`
	Subject       string    `json:"subject"`
	Body          string    `json:"body"`
	Page          string    `json:"page,omitempty"`
	Dead          *DeadInfo `json:"dead,omitempty"`
}

type envelope struct {
	V       int             `json:"v"`
	SHA256  string          `json:"sha256"`
	Message json.RawMessage `json:"message"`
}

// LogEntry is one line of the delivery log.
type LogEntry struct {
	Time        time.Time `json:"time"`
	Reference   string    `json:"reference"`
	RecipientID string    `json:"recipient"`
	Outcome     string    `json:"outcome"`
	Detail      string    `json:"detail,omitempty"` // e.g. an SMTP status code; never content or addresses
}

// Options configure Open.
type Options struct {
	FS       FS               // nil means OS
	Logger   *slog.Logger     // nil means slog.Default()
	Now      func() time.Time // nil means time.Now
	Location *time.Location   // for the year in reference numbers; nil means UTC
	Prefix   string           // reference prefix such as "KBG"
}

// Outbox is an open outbox folder. It is safe for concurrent use by the
// goroutines of one process; separate processes (the server and `torg relay
// retry`) coordinate only through atomic renames.
type Outbox struct {
	dir    string
	fs     FS
	log    *slog.Logger
	now    func() time.Time
	loc    *time.Location
	prefix string

	mu       sync.Mutex // counter
	year     int
	next     int
	reserved int

	logMu   sync.Mutex
	pending sync.Map // reference → struct{}: being written by Put
}

var (
	refRE     = regexp.MustCompile(`^([A-Z0-9]{1,10})-(\d{4})-(\d{6,9})$`)
	refInName = regexp.MustCompile(`[A-Z0-9]{1,10}-\d{4}-\d{6,9}`)
)

// ValidReference reports whether s looks like a reference number.
func ValidReference(s string) bool { return refRE.MatchString(s) }

// Open opens (creating if needed) the outbox in dir, quarantines
// half-written and unreadable files, resolves messages left in both queue/
// and dead/ by an interrupted move, and restores the reference counter.
func Open(dir string, opt Options) (*Outbox, error) {
	o := &Outbox{dir: dir, fs: opt.FS, log: opt.Logger, now: opt.Now, loc: opt.Location, prefix: opt.Prefix}
	if o.fs == nil {
		o.fs = OS{}
	}
	if o.log == nil {
		o.log = slog.Default()
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.loc == nil {
		o.loc = time.UTC
	}
	if o.prefix == "" {
		o.prefix = "TORG"
	}
	if !regexp.MustCompile(`^[A-Z0-9]{1,10}$`).MatchString(o.prefix) {
		return nil, fmt.Errorf("outbox: reference prefix %q: use 1-10 capital letters or digits", o.prefix)
	}
	for _, d := range []string{string(Queue), string(Dead), dirTmp, dirQuarantine} {
		if err := o.fs.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
	}
	if err := o.recover(); err != nil {
		return nil, err
	}
	if err := o.loadCounter(); err != nil {
		return nil, err
	}
	return o, nil
}

// Dir returns the outbox folder.
func (o *Outbox) Dir() string { return o.dir }

func (o *Outbox) path(s State, ref string) string {
	return filepath.Join(o.dir, string(s), ref+".json")
}

// recover runs at Open: everything in tmp/ is half-written; everything in
// queue/ and dead/ must decode.
func (o *Outbox) recover() error {
	tmp := filepath.Join(o.dir, dirTmp)
	ents, err := o.fs.ReadDir(tmp)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	for _, e := range ents {
		o.quarantine(filepath.Join(tmp, e.Name()), "half-written file from an interrupted write")
	}
	found := map[State]map[string]*Message{Queue: {}, Dead: {}}
	for _, s := range []State{Queue, Dead} {
		d := filepath.Join(o.dir, string(s))
		ents, err := o.fs.ReadDir(d)
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		for _, e := range ents {
			p := filepath.Join(d, e.Name())
			ref, ok := strings.CutSuffix(e.Name(), ".json")
			if !ok || !ValidReference(ref) || !e.Type().IsRegular() {
				o.quarantine(p, "unexpected file name")
				continue
			}
			m, err := o.decodeFile(p, ref)
			if err != nil {
				o.quarantine(p, err.Error())
				continue
			}
			found[s][ref] = m
		}
	}
	// A message in both folders was being moved when the process died:
	// dead/ is written before queue/ is removed (MoveToDead) and queue/
	// before dead/ (Requeue). The newer copy wins.
	for ref, q := range found[Queue] {
		d, ok := found[Dead][ref]
		if !ok {
			continue
		}
		var drop State = Dead
		if d.Dead != nil && d.Dead.At.After(q.Queued) {
			drop = Queue
		}
		o.log.Warn("outbox: message in both queue and dead after an interrupted move", "reference", ref, "kept", otherState(drop))
		if err := o.fs.Remove(o.path(drop, ref)); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	return nil
}

func otherState(s State) State {
	if s == Queue {
		return Dead
	}
	return Queue
}

func (o *Outbox) quarantine(p, reason string) {
	dst := filepath.Join(o.dir, dirQuarantine, filepath.Base(filepath.Dir(p))+"-"+filepath.Base(p)+"-"+strconv.FormatInt(o.now().UnixNano(), 10))
	if err := o.fs.Rename(p, dst); err != nil {
		o.log.Error("outbox: could not quarantine file", "file", filepath.Base(p), "err", err)
		return
	}
	_ = o.fs.SyncDir(filepath.Join(o.dir, dirQuarantine))
	_ = o.fs.SyncDir(filepath.Dir(p))
	o.log.Warn("outbox: file quarantined", "file", filepath.Base(p), "quarantine", filepath.Base(dst), "reason", reason)
}

func (o *Outbox) decodeFile(p, ref string) (*Message, error) {
	data, err := o.fs.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("unreadable: %w", err)
	}
	return decode(data, ref)
}

func decode(data []byte, ref string) (*Message, error) {
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if env.V != 1 {
		return nil, fmt.Errorf("unknown file version %d", env.V)
	}
	sum := sha256.Sum256(env.Message)
	if hex.EncodeToString(sum[:]) != env.SHA256 {
		return nil, errors.New("checksum mismatch")
	}
	var m Message
	if err := json.Unmarshal(env.Message, &m); err != nil {
		return nil, fmt.Errorf("bad message: %w", err)
	}
	if m.Reference != ref || m.MessageID == "" || len(m.To) == 0 || m.RecipientID == "" {
		return nil, errors.New("incomplete message")
	}
	return &m, nil
}

func encode(m *Message) ([]byte, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	return json.Marshal(envelope{V: 1, SHA256: hex.EncodeToString(sum[:]), Message: raw})
}

// writeAtomic makes dir/name hold data durably: temp file, write, fsync,
// close, rename, fsync dir. On failure nothing is left behind (the temp
// file is removed; a renamed file whose folder could not be synced is
// removed again) and the error is returned.
func (o *Outbox) writeAtomic(dir, name string, data []byte) error {
	f, err := o.fs.CreateTemp(filepath.Join(o.dir, dirTmp), name+".*.tmp")
	if err != nil {
		return fmt.Errorf("outbox: create temp: %w", err)
	}
	tmp := f.Name()
	fail := func(step string, err error) error {
		f.Close()
		if rerr := o.fs.Remove(tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			o.log.Error("outbox: could not remove temp file", "file", filepath.Base(tmp), "err", rerr)
		}
		return fmt.Errorf("outbox: %s %s: %w", step, name, err)
	}
	n, err := f.Write(data)
	if err == nil && n != len(data) {
		err = fmt.Errorf("short write (%d of %d bytes)", n, len(data))
	}
	if err != nil {
		return fail("write", err)
	}
	if err := f.Sync(); err != nil {
		return fail("fsync", err)
	}
	if err := f.Close(); err != nil {
		return fail("close", err)
	}
	dst := filepath.Join(dir, name)
	if err := o.fs.Rename(tmp, dst); err != nil {
		if rerr := o.fs.Remove(tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			o.log.Error("outbox: could not remove temp file", "file", filepath.Base(tmp), "err", rerr)
		}
		return fmt.Errorf("outbox: rename %s: %w", name, err)
	}
	if err := o.fs.SyncDir(dir); err != nil {
		// Not known to be durable: take it back so that the caller's
		// failure report is true.
		if rerr := o.fs.Remove(dst); rerr != nil {
			o.log.Error("outbox: could not remove unsynced file", "file", name, "err", rerr)
		}
		return fmt.Errorf("outbox: fsync folder for %s: %w", name, err)
	}
	return nil
}

// NextReference returns a new reference number such as KBG-2026-000123.
// Numbers restart each calendar year and are unique across restarts: they
// are reserved in blocks in counter.json before being handed out.
func (o *Outbox) NextReference() (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	y := o.now().In(o.loc).Year()
	if y != o.year {
		o.year, o.next, o.reserved = y, 1, 0
	}
	if o.next > o.reserved {
		res := o.next + reserveBlock - 1
		data, _ := json.Marshal(counterState{Year: o.year, Reserved: res})
		if err := o.writeAtomic(o.dir, counterFile, data); err != nil {
			return "", err
		}
		o.reserved = res
	}
	ref := fmt.Sprintf("%s-%04d-%06d", o.prefix, o.year, o.next)
	o.next++
	return ref, nil
}

type counterState struct {
	Year     int `json:"year"`
	Reserved int `json:"reserved"`
}

// loadCounter restores the counter from counter.json and, in case that
// file was lost, from the highest number seen in the outbox, the
// quarantine and the delivery log.
func (o *Outbox) loadCounter() error {
	o.year = o.now().In(o.loc).Year()
	maxSeen := 0
	if data, err := o.fs.ReadFile(filepath.Join(o.dir, counterFile)); err == nil {
		var c counterState
		if err := json.Unmarshal(data, &c); err != nil {
			o.log.Warn("outbox: counter.json unreadable; recovering from outbox and log", "err", err)
		} else if c.Year == o.year {
			maxSeen = c.Reserved
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("outbox: %w", err)
	}
	seen := func(ref string) {
		m := refRE.FindStringSubmatch(ref)
		if m == nil || m[1] != o.prefix {
			return
		}
		if y, _ := strconv.Atoi(m[2]); y != o.year {
			return
		}
		if n, _ := strconv.Atoi(m[3]); n > maxSeen {
			maxSeen = n
		}
	}
	for _, d := range []string{string(Queue), string(Dead), dirQuarantine} {
		ents, err := o.fs.ReadDir(filepath.Join(o.dir, d))
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		for _, e := range ents {
			if ref := refInName.FindString(e.Name()); ref != "" {
				seen(ref)
			}
		}
	}
	if data, err := o.fs.ReadFile(filepath.Join(o.dir, logFile)); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			var e LogEntry
			if json.Unmarshal(sc.Bytes(), &e) == nil {
				seen(e.Reference)
			}
		}
	}
	o.next = maxSeen + 1
	o.reserved = maxSeen
	return nil
}

// Put stores a new message in queue/ durably. When Put returns nil the
// message survives a crash; when it returns an error nothing of it is left
// in the outbox.
func (o *Outbox) Put(m *Message) error {
	if !ValidReference(m.Reference) {
		return fmt.Errorf("outbox: bad reference %q", m.Reference)
	}
	data, err := encode(m)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	o.pending.Store(m.Reference, struct{}{})
	defer o.pending.Delete(m.Reference)
	return o.writeAtomic(filepath.Join(o.dir, string(Queue)), m.Reference+".json", data)
}

// Entry is a message file seen by List.
type Entry struct {
	Reference string
	ModTime   time.Time // when the file was written
}

// List returns the messages in state s, oldest first, leaving out those
// being written right now.
func (o *Outbox) List(s State) ([]Entry, error) {
	ents, err := o.fs.ReadDir(filepath.Join(o.dir, string(s)))
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	out := make([]Entry, 0, len(ents))
	for _, e := range ents {
		ref, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !ValidReference(ref) {
			continue
		}
		if _, busy := o.pending.Load(ref); busy {
			continue
		}
		var mt time.Time
		if info, err := e.Info(); err == nil {
			mt = info.ModTime()
		}
		out = append(out, Entry{Reference: ref, ModTime: mt})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Reference < out[j].Reference })
	return out, nil
}

// Load reads a message. A file that cannot be decoded is quarantined and
// ErrCorrupt returned; a missing one gives ErrNotFound.
func (o *Outbox) Load(s State, ref string) (*Message, error) {
	p := o.path(s, ref)
	data, err := o.fs.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	m, err := decode(data, ref)
	if err != nil {
		o.quarantine(p, err.Error())
		return nil, ErrCorrupt
	}
	return m, nil
}

// Delete removes a message from state s durably (after delivery).
func (o *Outbox) Delete(s State, ref string) error {
	if err := o.fs.Remove(o.path(s, ref)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return ErrNotFound
		}
		return fmt.Errorf("outbox: %w", err)
	}
	if err := o.fs.SyncDir(filepath.Join(o.dir, string(s))); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// MoveToDead moves a queued message to dead/ with the reason.
func (o *Outbox) MoveToDead(m *Message, reason string) error {
	c := *m
	c.Dead = &DeadInfo{Reason: reason, At: o.now()}
	if !c.Dead.At.After(c.Queued) {
		c.Dead.At = c.Queued.Add(time.Nanosecond)
	}
	data, err := encode(&c)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if err := o.writeAtomic(filepath.Join(o.dir, string(Dead)), c.Reference+".json", data); err != nil {
		return err
	}
	if err := o.Delete(Queue, c.Reference); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	*m = c
	return nil
}

// Requeue moves one dead letter back to queue/ with a fresh give-up window.
func (o *Outbox) Requeue(ref string) error {
	m, err := o.Load(Dead, ref)
	if err != nil {
		return err
	}
	m.Dead = nil
	m.Queued = o.now()
	data, err := encode(m)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if err := o.writeAtomic(filepath.Join(o.dir, string(Queue)), ref+".json", data); err != nil {
		return err
	}
	if err := o.Delete(Dead, ref); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}

// RequeueAll moves every dead letter back to queue/ and returns how many
// were moved.
func (o *Outbox) RequeueAll() (int, error) {
	es, err := o.List(Dead)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, e := range es {
		err := o.Requeue(e.Reference)
		switch {
		case err == nil:
			n++
			_ = o.AppendLog(LogEntry{Reference: e.Reference, Outcome: "requeued"})
		case errors.Is(err, ErrNotFound):
			// Delivered to the fallback mailbox meanwhile.
		default:
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

// AppendLog appends one line to the delivery log and fsyncs it.
func (o *Outbox) AppendLog(e LogEntry) error {
	if e.Time.IsZero() {
		e.Time = o.now()
	}
	e.Time = e.Time.UTC().Truncate(time.Millisecond)
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	line = append(line, '\n')
	o.logMu.Lock()
	defer o.logMu.Unlock()
	f, err := o.fs.OpenAppend(filepath.Join(o.dir, logFile))
	if err != nil {
		return fmt.Errorf("outbox: delivery log: %w", err)
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("outbox: delivery log: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("outbox: delivery log: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("outbox: delivery log: %w", err)
	}
	return nil
}

// ReadLog returns the delivery log entries.
func (o *Outbox) ReadLog() ([]LogEntry, error) {
	o.logMu.Lock()
	defer o.logMu.Unlock()
	data, err := o.fs.ReadFile(filepath.Join(o.dir, logFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	var out []LogEntry
	for _, l := range bytes.Split(data, []byte("\n")) {
		var e LogEntry
		if len(l) > 0 && json.Unmarshal(l, &e) == nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// PruneLog rewrites the delivery log without entries older than before
// (retention). Lines that cannot be parsed are kept.
func (o *Outbox) PruneLog(before time.Time) (int, error) {
	o.logMu.Lock()
	defer o.logMu.Unlock()
	p := filepath.Join(o.dir, logFile)
	data, err := o.fs.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	var keep bytes.Buffer
	dropped := 0
	for _, l := range bytes.SplitAfter(data, []byte("\n")) {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var e LogEntry
		if json.Unmarshal(l, &e) == nil && e.Time.Before(before) {
			dropped++
			continue
		}
		keep.Write(l)
	}
	if dropped == 0 {
		return 0, nil
	}
	if err := o.writeAtomic(o.dir, logFile, keep.Bytes()); err != nil {
		return 0, err
	}
	return dropped, nil
}

// PruneQuarantine deletes quarantined files older than before, logging each
// one, and returns how many were deleted.
func (o *Outbox) PruneQuarantine(before time.Time) (int, error) {
	d := filepath.Join(o.dir, dirQuarantine)
	ents, err := o.fs.ReadDir(d)
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	n := 0
	for _, e := range ents {
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(before) {
			continue
		}
		if err := o.fs.Remove(filepath.Join(d, e.Name())); err != nil {
			return n, fmt.Errorf("outbox: %w", err)
		}
		o.log.Warn("outbox: quarantined file deleted after retention period", "file", e.Name())
		n++
	}
	if n > 0 {
		_ = o.fs.SyncDir(d)
	}
	return n, nil
}

// Quarantined returns the names of the files in quarantine/.
func (o *Outbox) Quarantined() ([]string, error) {
	ents, err := o.fs.ReadDir(filepath.Join(o.dir, dirQuarantine))
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out, nil
}
