package relay

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/torgsite/torg/internal/relay/outbox"
)

type metrics struct {
	accepted, delivered, retried, dead, fallback, corrupt, reloads atomic.Int64
	mu                                                             sync.Mutex
	rejected                                                       map[string]int64
}

func (m *metrics) reject(reason string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rejected == nil {
		m.rejected = map[string]int64{}
	}
	m.rejected[reason]++
}

// handleMetrics writes the Prometheus text exposition format.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	counter := func(name, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	gauge := func(name, help string, v float64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", name, help, name, name, v)
	}
	counter("torg_relay_accepted_total", "Messages accepted into the outbox.", s.m.accepted.Load())
	counter("torg_relay_delivered_total", "Messages delivered to their recipients.", s.m.delivered.Load())
	counter("torg_relay_retried_total", "Delivery attempts that failed temporarily and were rescheduled.", s.m.retried.Load())
	counter("torg_relay_dead_total", "Messages moved to the dead-letter folder.", s.m.dead.Load())
	counter("torg_relay_fallback_delivered_total", "Dead letters delivered to the fallback mailbox.", s.m.fallback.Load())
	counter("torg_relay_quarantined_total", "Outbox files found unreadable while running and quarantined.", s.m.corrupt.Load())
	counter("torg_relay_recipient_table_loads_total", "Successful recipient table loads.", s.m.reloads.Load())

	fmt.Fprintf(w, "# HELP torg_relay_rejected_total Posts refused, by reason.\n# TYPE torg_relay_rejected_total counter\n")
	s.m.mu.Lock()
	reasons := make([]string, 0, len(s.m.rejected))
	for k := range s.m.rejected {
		reasons = append(reasons, k)
	}
	sort.Strings(reasons)
	for _, k := range reasons {
		fmt.Fprintf(w, "torg_relay_rejected_total{reason=%q} %d\n", k, s.m.rejected[k])
	}
	s.m.mu.Unlock()

	now := s.now()
	depth, oldest := 0, 0.0
	if es, err := s.box.List(outbox.Queue); err == nil {
		depth = len(es)
		for _, e := range es {
			if age := now.Sub(e.ModTime).Seconds(); age > oldest {
				oldest = age
			}
		}
	}
	deadN := 0
	if es, err := s.box.List(outbox.Dead); err == nil {
		deadN = len(es)
		for _, e := range es {
			if age := now.Sub(e.ModTime).Seconds(); age > oldest {
				oldest = age
			}
		}
	}
	gauge("torg_relay_outbox_depth", "Messages waiting in the outbox queue.", float64(depth))
	gauge("torg_relay_dead_letters", "Messages in the dead-letter folder.", float64(deadN))
	gauge("torg_relay_oldest_message_age_seconds", "Age of the oldest undelivered message (queue or dead letters).", oldest)
	gauge("torg_relay_recipients", "Recipients in the loaded table.", float64(s.table.Load().Len()))
}
