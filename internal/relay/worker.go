package relay

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/torgsite/torg/internal/relay/mailmsg"
	"github.com/torgsite/torg/internal/relay/outbox"
	"github.com/torgsite/torg/internal/relay/smtpsend"
)

// job is one message the worker knows about.
type job struct {
	state    outbox.State
	attempts int
	next     time.Time
	busy     bool
}

type result struct {
	key       string
	state     outbox.State
	done      bool // delivered, moved or gone: forget the job
	temporary bool // reschedule with backoff
	toDead    bool // now a dead letter: try the fallback next
}

// runWorker delivers the outbox: it scans queue/ and dead/ on start, after
// every accepted post and every retry.scan, and sends due messages with up
// to retry.workers at a time.
func (s *Server) runWorker(ctx context.Context) {
	jobs := map[string]*job{}
	results := make(chan result)
	running := 0
	workers := s.cfg.Retry.Workers
	scan := time.NewTicker(s.cfg.Retry.Scan.D())
	defer scan.Stop()
	timer := time.NewTimer(0)
	defer timer.Stop()

	rescan := func() {
		seen := map[string]bool{}
		for _, st := range []outbox.State{outbox.Queue, outbox.Dead} {
			es, err := s.box.List(st)
			if err != nil {
				s.log.Error("outbox unreadable", "err", err)
				continue
			}
			for _, e := range es {
				k := string(st) + "/" + e.Reference
				seen[k] = true
				if jobs[k] != nil {
					continue
				}
				// A dead letter whose move from the queue is still being
				// handled (its queue job is busy) is left to that job's
				// result: sending it now could deliver it to the fallback
				// mailbox before its "dead" log entry is written, or twice.
				if q := jobs[string(outbox.Queue)+"/"+e.Reference]; st == outbox.Dead && q != nil && q.busy {
					continue
				}
				jobs[k] = &job{state: st, next: s.now()}
			}
		}
		for k, j := range jobs {
			if !seen[k] && !j.busy {
				delete(jobs, k)
			}
		}
	}
	dispatch := func() time.Duration {
		now := s.now()
		keys := make([]string, 0, len(jobs))
		for k := range jobs {
			keys = append(keys, k)
		}
		slices.Sort(keys) // oldest reference first
		wait := time.Duration(-1)
		for _, k := range keys {
			j := jobs[k]
			if j.busy {
				continue
			}
			if d := j.next.Sub(now); d > 0 {
				if wait < 0 || d < wait {
					wait = d
				}
				continue
			}
			if running >= workers {
				continue
			}
			j.busy = true
			running++
			ref := k[len(j.state)+1:]
			go func(k, ref string, st outbox.State) {
				results <- s.attempt(ctx, k, ref, st)
			}(k, ref, j.state)
		}
		return wait
	}

	rescan()
	for {
		wait := dispatch()
		if wait >= 0 {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			for running > 0 {
				<-results
				running--
			}
			return
		case <-s.wake:
			rescan()
		case <-scan.C:
			rescan()
		case <-timer.C:
		case r := <-results:
			running--
			j := jobs[r.key]
			if j == nil {
				continue
			}
			j.busy = false
			switch {
			case r.toDead:
				delete(jobs, r.key)
				ref := r.key[len(outbox.Queue)+1:]
				// A rescan since the move may already have found the dead
				// letter and even be sending it to the fallback mailbox:
				// replacing that job would send it twice.
				if dk := string(outbox.Dead) + "/" + ref; jobs[dk] == nil {
					jobs[dk] = &job{state: outbox.Dead, next: s.now()}
				}
			case r.done:
				delete(jobs, r.key)
			case r.temporary:
				j.attempts++
				j.next = s.now().Add(s.backoff(j.attempts))
			}
		}
	}
}

// backoff returns the wait before retry n (n ≥ 1): initial·2^(n-1), capped
// at max, with jitter drawn from the upper half of the interval.
func (s *Server) backoff(n int) time.Duration {
	d := s.cfg.Retry.Initial.D()
	max := s.cfg.Retry.Max.D()
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	half := d / 2
	return half + rand.N(half+1)
}

// attempt tries one delivery and records the outcome in the outbox, the
// delivery log and the metrics.
func (s *Server) attempt(ctx context.Context, key, ref string, st outbox.State) result {
	r := result{key: key, state: st}
	m, err := s.box.Load(st, ref)
	switch {
	case errors.Is(err, outbox.ErrNotFound):
		r.done = true
		return r
	case errors.Is(err, outbox.ErrCorrupt):
		s.m.corrupt.Add(1)
		s.log.Error("outbox file unreadable; quarantined", "reference", ref)
		_ = s.box.AppendLog(outbox.LogEntry{Reference: ref, Outcome: "quarantined"})
		r.done = true
		return r
	case err != nil:
		s.log.Error("outbox read failed", "reference", ref, "err", err)
		r.temporary = true
		return r
	}
	if st == outbox.Dead {
		return s.attemptFallback(ctx, r, m)
	}

	var msg []byte
	var rcpt []string
	for _, a := range m.To {
		if !slices.Contains(s.cfg.Domains, mailmsg.Domain(a.Address)) {
			err = &smtpsend.Error{Permanent: true, Err: errors.New("recipient address no longer in the allowed domains")}
		}
	}
	if err == nil {
		msg, rcpt, err = s.compose(m)
		if err != nil {
			err = &smtpsend.Error{Permanent: true, Err: err}
		}
	}
	if err == nil {
		err = s.sender.Send(ctx, s.cfg.Bounce, rcpt, msg)
	}
	if ctx.Err() != nil {
		// Shutting down: the message stays queued and is sent on the next
		// start (at least once, same Message-ID).
		return r
	}
	if err == nil {
		if derr := s.box.Delete(outbox.Queue, ref); derr != nil && !errors.Is(derr, outbox.ErrNotFound) {
			s.log.Error("delivered but could not delete from outbox; it may be sent again", "reference", ref, "err", derr)
		}
		s.logOutcome(m, "delivered", "")
		s.m.delivered.Add(1)
		s.log.Info("delivered", "reference", ref, "recipient", m.RecipientID, "outcome", "delivered")
		r.done = true
		return r
	}
	code := smtpsend.Code(err)
	giveUp := s.now().Sub(m.Queued) > s.cfg.Retry.GiveUp.D()
	if !smtpsend.IsPermanent(err) && !giveUp {
		s.m.retried.Add(1)
		s.logOutcome(m, "retry", codeDetail(code))
		s.log.Warn("delivery failed temporarily; will retry", "reference", ref, "recipient", m.RecipientID, "outcome", "retry", "smtp_code", code, "err", redact(err))
		r.temporary = true
		return r
	}
	reason := err.Error()
	if giveUp && !smtpsend.IsPermanent(err) {
		reason = fmt.Sprintf("gav upp efter %s: %v", s.cfg.Retry.GiveUp.D(), err)
	}
	if derr := s.box.MoveToDead(m, reason); derr != nil {
		s.log.Error("could not move message to dead letters; will retry", "reference", ref, "err", derr)
		r.temporary = true
		return r
	}
	s.m.dead.Add(1)
	s.logOutcome(m, "dead", codeDetail(code))
	s.log.Error("delivery failed permanently; sending to the fallback mailbox", "reference", ref, "recipient", m.RecipientID, "outcome", "dead", "smtp_code", code)
	r.toDead = true
	return r
}

func (s *Server) attemptFallback(ctx context.Context, r result, m *outbox.Message) result {
	msg, rcpt, err := s.composeFallback(m)
	if err == nil {
		err = s.sender.Send(ctx, s.cfg.Bounce, rcpt, msg)
	}
	if ctx.Err() != nil {
		return r
	}
	if err != nil {
		// There is nothing after the fallback: keep trying (with backoff)
		// and make noise.
		s.log.Error("fallback delivery failed; dead letter kept", "reference", m.Reference, "recipient", m.RecipientID, "outcome", "fallback_failed", "smtp_code", smtpsend.Code(err), "err", redact(err))
		s.logOutcome(m, "fallback_failed", codeDetail(smtpsend.Code(err)))
		r.temporary = true
		return r
	}
	if derr := s.box.Delete(outbox.Dead, m.Reference); derr != nil && !errors.Is(derr, outbox.ErrNotFound) {
		s.log.Error("fallback delivered but dead letter not deleted", "reference", m.Reference, "err", derr)
	}
	s.m.fallback.Add(1)
	s.logOutcome(m, "fallback_delivered", "")
	s.log.Warn("dead letter delivered to the fallback mailbox", "reference", m.Reference, "recipient", m.RecipientID, "outcome", "fallback_delivered")
	r.done = true
	return r
}

func (s *Server) logOutcome(m *outbox.Message, outcome, detail string) {
	if err := s.box.AppendLog(outbox.LogEntry{Reference: m.Reference, RecipientID: m.RecipientID, Outcome: outcome, Detail: detail}); err != nil {
		s.log.Error("delivery log write failed", "reference", m.Reference, "err", err)
	}
}

func codeDetail(code int) string {
	if code == 0 {
		return ""
	}
	return "smtp " + strconv.Itoa(code)
}

// redact removes anything that looks like an e-mail address from an error
// before it is logged (SMTP replies often quote the recipient).
func redact(err error) string {
	words := strings.Fields(err.Error())
	for i, w := range words {
		if strings.Contains(w, "@") {
			words[i] = "[adress]"
		}
	}
	return strings.Join(words, " ")
}
