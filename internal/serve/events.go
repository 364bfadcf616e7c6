package serve

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// event is one server-sent event.
type event struct {
	name string
	data []byte
}

// clientBuffer is how many events a browser may lag behind before it is
// dropped; a dropped EventSource reconnects by itself.
const clientBuffer = 32

// writeTimeout bounds one write to a browser, so that a stalled client
// never holds anything up.
const writeTimeout = 5 * time.Second

type client struct {
	ch      chan event
	dropped chan struct{}
}

// hub fans events out to the connected browsers. broadcast never blocks:
// a client whose buffer is full is dropped.
type hub struct {
	mu      sync.Mutex
	clients map[*client]bool
	closed  bool
	sent    int
}

func newHub() *hub { return &hub{clients: map[*client]bool{}} }

func (h *hub) join() *client {
	c := &client{ch: make(chan event, clientBuffer), dropped: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(c.dropped)
		return c
	}
	h.clients[c] = true
	return c
}

func (h *hub) leave(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.clients[c] {
		delete(h.clients, c)
		close(c.dropped)
	}
}

func (h *hub) broadcast(ev event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sent++
	for c := range h.clients {
		select {
		case c.ch <- ev:
		default:
			delete(h.clients, c)
			close(c.dropped)
		}
	}
}

func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.clients {
		delete(h.clients, c)
		close(c.dropped)
	}
}

// Clients returns the number of connected browsers.
func (s *Server) Clients() int { return s.hub.count() }

func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	c := s.hub.join()
	defer s.hub.leave(c)
	write := func(ev event) error {
		rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		var err error
		if ev.name == "" {
			_, err = fmt.Fprintf(w, ": %s\n\n", ev.data)
		} else {
			_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.name, ev.data)
		}
		if err == nil {
			err = rc.Flush()
		}
		return err
	}
	w.WriteHeader(http.StatusOK)
	hello := event{name: "hello", data: []byte("{}")}
	s.mu.RLock()
	if s.failed != nil {
		hello = event{name: "failed", data: errorEvent(s.failed)}
	}
	s.mu.RUnlock()
	if write(event{data: []byte("torg serve")}) != nil || write(hello) != nil {
		return
	}
	keepalive := time.NewTicker(20 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-c.dropped:
			return
		case <-keepalive.C:
			if write(event{data: []byte("ping")}) != nil {
				return
			}
		case ev := <-c.ch:
			if write(ev) != nil {
				return
			}
		}
	}
}
