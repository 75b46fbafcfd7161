// Package fanout hands values from one producer (a card reader, a sensor
// loop, the print queue) to any number of subscribers (the UI, a test)
// without ever making the producer wait: a subscriber that does not keep up
// misses values, and they are counted.
package fanout

import "sync"

// Fanout is safe for concurrent use; its zero value is ready.
type Fanout[T any] struct {
	mu      sync.Mutex
	next    int
	subs    map[int]chan T
	dropped uint64
}

// Subscribe returns a channel that receives every value sent from now on,
// buffered for buffer values (at least 1), and a function that ends the
// subscription and closes the channel. Calling it twice is harmless.
func (f *Fanout[T]) Subscribe(buffer int) (<-chan T, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs == nil {
		f.subs = map[int]chan T{}
	}
	ch := make(chan T, max(buffer, 1))
	id := f.next
	f.next++
	f.subs[id] = ch
	return ch, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if c, ok := f.subs[id]; ok {
			delete(f.subs, id)
			close(c)
		}
	}
}

// Send offers v to every subscriber and returns at once. It returns how
// many subscribers missed v because their buffer was full.
func (f *Fanout[T]) Send(v T) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	missed := 0
	for _, ch := range f.subs {
		select {
		case ch <- v:
		default:
			missed++
		}
	}
	f.dropped += uint64(missed)
	return missed
}

// Dropped is how many deliveries were missed since the start.
func (f *Fanout[T]) Dropped() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dropped
}
