package provider

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestUserWritesOneAtATimePerUser: writes to one user never overlap (Jenkins cannot save a user
// record while its token list changes), and locking several users in any order cannot deadlock.
func TestUserWritesOneAtATimePerUser(t *testing.T) {
	var w userWrites
	var inBob, maxBob atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := "bob"
			if i%2 == 1 {
				id = "amy"
			}
			defer w.lock(id)()
			if id == "bob" {
				n := inBob.Add(1)
				if n > maxBob.Load() {
					maxBob.Store(n)
				}
				time.Sleep(2 * time.Millisecond)
				inBob.Add(-1)
			}
		}(i)
	}
	wg.Wait()
	if maxBob.Load() != 1 {
		t.Errorf("%d writes to bob ran at once, want 1", maxBob.Load())
	}
	done := make(chan struct{})
	go func() {
		var inner sync.WaitGroup
		for i := 0; i < 50; i++ {
			inner.Add(2)
			go func() { defer inner.Done(); defer w.lock("a", "b", "a")() }()
			go func() { defer inner.Done(); defer w.lock("b", "a")() }()
		}
		inner.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("locking several users in opposite orders deadlocked")
	}
}
