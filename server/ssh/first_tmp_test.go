package sshd

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"
)

func TestFirstSessionTmp(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "bench")
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	if f := os.Getenv("PROF0"); f != "" {
		out, _ := os.Create(f)
		pprof.Lookup("allocs").WriteTo(out, 0)
		out.Close()
	}
	s, err := openBenchSession(w, k)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	runtime.ReadMemStats(&b)
	t.Logf("before GC: totalalloc +%.2f MiB, heapalloc %.2f→%.2f, heapsys %.2f→%.2f heapinuse %.2f→%.2f, stack %.2f→%.2f, mallocs +%d, numgc +%d",
		mib(b.TotalAlloc-a.TotalAlloc), mib(a.HeapAlloc), mib(b.HeapAlloc), mib(a.HeapSys), mib(b.HeapSys), mib(a.HeapInuse), mib(b.HeapInuse), mib(a.StackInuse), mib(b.StackInuse), b.Mallocs-a.Mallocs, b.NumGC-a.NumGC)
	runtime.GC()
	runtime.ReadMemStats(&b)
	t.Logf("after GC: heapalloc %.2f", mib(b.HeapAlloc))
	if f := os.Getenv("PROF1"); f != "" {
		out, _ := os.Create(f)
		pprof.Lookup("allocs").WriteTo(out, 0)
		out.Close()
	}
	s.sess.Close()
	s.client.Close()
}
