package outbox

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newMsg(ref string) *Message {
	now := time.Now()
	return &Message{
		Reference: ref, MessageID: ref + "@example.se", Created: now, Queued: now,
		Form: "kontakt", RecipientID: "kommunen",
		To:      []Address{{Name: "Kommunen", Address: "kommun@example.se"}},
		Subject: "Hej", Body: "Text",
	}
}

func open(t *testing.T, dir string, fsys FS) *Outbox {
	t.Helper()
	o, err := Open(dir, Options{FS: fsys, Prefix: "KBG"})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestPutLoadDelete(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir, nil)
	ref, err := o.NextReference()
	if err != nil {
		t.Fatal(err)
	}
	if !ValidReference(ref) || !strings.HasPrefix(ref, "KBG-") {
		t.Fatalf("reference %q", ref)
	}
	m := newMsg(ref)
	if err := o.Put(m); err != nil {
		t.Fatal(err)
	}
	got, err := o.Load(Queue, ref)
	if err != nil || got.Body != "Text" {
		t.Fatalf("load: %v %+v", err, got)
	}
	es, _ := o.List(Queue)
	if len(es) != 1 || es[0].Reference != ref {
		t.Fatalf("list %v", es)
	}
	if err := o.Delete(Queue, ref); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Load(Queue, ref); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if f := files(t, filepath.Join(dir, "tmp")); len(f) != 0 {
		t.Fatalf("tmp not empty: %v", f)
	}
}

func TestReferencesUniqueAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	seen := map[string]bool{}
	stored := ""
	for run := 0; run < 3; run++ {
		o := open(t, dir, nil)
		for i := 0; i < 10; i++ {
			ref, err := o.NextReference()
			if err != nil {
				t.Fatal(err)
			}
			if seen[ref] {
				t.Fatalf("reference %s handed out twice", ref)
			}
			seen[ref] = true
			if i == 0 {
				stored = ref
				if err := o.Put(newMsg(ref)); err != nil {
					t.Fatal(err)
				}
				_ = o.AppendLog(LogEntry{Reference: ref, RecipientID: "kommunen", Outcome: "delivered"})
			}
		}
	}
	// Lose counter.json: the next number is still above every stored
	// message and every logged one (numbers that were handed out but
	// never stored may be reused; nobody ever saw them).
	os.Remove(filepath.Join(dir, counterFile))
	o := open(t, dir, nil)
	ref, _ := o.NextReference()
	if ref <= stored {
		t.Fatalf("reference %s not above stored %s after counter loss", ref, stored)
	}
}

func TestInjectedFailuresLeaveNothing(t *testing.T) {
	cases := map[string]func(f *FaultFS){
		"write":   func(f *FaultFS) { f.FailWrite = onQueueFile(ErrInjected) },
		"enospc":  func(f *FaultFS) { f.FailWrite = onQueueFile(ErrDiskFull) },
		"fsync":   func(f *FaultFS) { f.FailSync = onQueueFile(ErrInjected) },
		"rename":  func(f *FaultFS) { f.FailRename = onQueueFile(ErrInjected) },
		"syncdir": func(f *FaultFS) { f.FailSyncDir = func(n string) error { return errIf(n == "queue", ErrInjected) } },
		"create":  func(f *FaultFS) { f.FailCreate = onQueueFile(ErrDiskFull) },
	}
	for name, set := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			ffs := &FaultFS{FS: OS{}}
			o := open(t, dir, ffs)
			ref, err := o.NextReference()
			if err != nil {
				t.Fatal(err)
			}
			ffs.Set(set)
			err = o.Put(newMsg(ref))
			if err == nil {
				t.Fatal("Put succeeded despite injected failure")
			}
			if name == "enospc" && !errors.Is(err, ErrDiskFull) {
				t.Fatalf("ENOSPC not wrapped: %v", err)
			}
			for _, d := range []string{"queue", "tmp", "dead"} {
				if f := files(t, filepath.Join(dir, d)); len(f) != 0 {
					t.Fatalf("%s holds %v after failed Put", d, f)
				}
			}
			// The outbox works again once the fault is gone.
			ffs.Clear()
			if err := o.Put(newMsg(ref)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func onQueueFile(err error) func(string) error {
	return func(n string) error { return errIf(strings.HasPrefix(n, "KBG-"), err) }
}

func errIf(c bool, err error) error {
	if c {
		return err
	}
	return nil
}

func TestQuarantineAtOpen(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir, nil)
	ref, _ := o.NextReference()
	if err := o.Put(newMsg(ref)); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(filepath.Join(dir, "queue", ref+".json"))
	write := func(p string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, p), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("queue/KBG-2026-000900.json", good[:len(good)/2])                                       // half-written
	write("queue/KBG-2026-000901.json", []byte(strings.Replace(string(good), "Text", "Txet", 1))) // checksum
	write("queue/KBG-2026-000902.json", good)                                                     // wrong reference inside
	write("queue/notes.txt", []byte("x"))
	write("dead/KBG-2026-000903.json", []byte{0xff, 0x00})
	write("tmp/KBG-2026-000904.json.123.tmp", good)
	o = open(t, dir, nil)
	q, _ := o.List(Queue)
	if len(q) != 1 || q[0].Reference != ref {
		t.Fatalf("queue after recovery: %v", q)
	}
	qu, _ := o.Quarantined()
	if len(qu) != 6 {
		t.Fatalf("quarantine holds %v, want 6 files", qu)
	}
	if f := files(t, filepath.Join(dir, "tmp")); len(f) != 0 {
		t.Fatalf("tmp: %v", f)
	}
	// The next reference is above every number seen, even quarantined ones.
	next, _ := o.NextReference()
	if next <= "KBG-2026-000904" && strings.Contains(next, "-2026-") {
		t.Fatalf("next reference %s collides with quarantined numbers", next)
	}
}

func TestDeadAndRequeue(t *testing.T) {
	dir := t.TempDir()
	o := open(t, dir, nil)
	ref, _ := o.NextReference()
	m := newMsg(ref)
	if err := o.Put(m); err != nil {
		t.Fatal(err)
	}
	if err := o.MoveToDead(m, "SMTP 550"); err != nil {
		t.Fatal(err)
	}
	if q, _ := o.List(Queue); len(q) != 0 {
		t.Fatalf("still queued: %v", q)
	}
	d, err := o.Load(Dead, ref)
	if err != nil || d.Dead == nil || d.Dead.Reason != "SMTP 550" {
		t.Fatalf("dead: %v %+v", err, d)
	}
	// Interrupted requeue: copy in both folders; queue copy is newer.
	n, err := o.RequeueAll()
	if err != nil || n != 1 {
		t.Fatalf("requeue: %d %v", n, err)
	}
	q, _ := o.Load(Queue, ref)
	if q.Dead != nil || !q.Queued.After(m.Queued) {
		t.Fatalf("requeued message %+v", q)
	}
	// Simulate a crash in the middle of MoveToDead: dead copy written,
	// queue copy not yet removed. At open the dead copy (newer) wins.
	if err := o.MoveToDead(q, "again"); err != nil {
		t.Fatal(err)
	}
	data, _ := encode(q) // q now has Dead set; write an older queue copy
	old := *q
	old.Dead = nil
	data, _ = encode(&old)
	os.WriteFile(filepath.Join(dir, "queue", ref+".json"), data, 0o600)
	o = open(t, dir, nil)
	if q, _ := o.List(Queue); len(q) != 0 {
		t.Fatalf("queue copy kept after interrupted MoveToDead: %v", q)
	}
	if d, _ := o.List(Dead); len(d) != 1 {
		t.Fatalf("dead copy lost: %v", d)
	}
}

func TestLogAndPrune(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	o, err := Open(dir, Options{Prefix: "KBG", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	o.AppendLog(LogEntry{Time: now.AddDate(-2, 0, 0), Reference: "KBG-2024-000001", RecipientID: "a", Outcome: "delivered"})
	o.AppendLog(LogEntry{Reference: "KBG-2026-000001", RecipientID: "a", Outcome: "delivered"})
	n, err := o.PruneLog(now.AddDate(-1, 0, 0))
	if err != nil || n != 1 {
		t.Fatalf("prune: %d %v", n, err)
	}
	es, _ := o.ReadLog()
	if len(es) != 1 || es[0].Reference != "KBG-2026-000001" {
		t.Fatalf("log after prune %+v", es)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, logFile))
	if strings.Contains(string(raw), "@") {
		t.Fatalf("log holds an address: %s", raw)
	}
}
