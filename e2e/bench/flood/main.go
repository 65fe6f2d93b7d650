// Command flood sends N concurrent logins to a latch server, each from its
// own loopback source address (127.0.x.y: Linux routes all of 127/8 to
// lo), as N people behind N addresses would, and prints how the answers
// were distributed and how long the slowest took. Used by the closing
// notes of the abuse-resistance work; see e2e/bench/flood.sh.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:7470", "server base URL")
	n := flag.Int("n", 600, "concurrent logins")
	user := flag.String("user", "victim", "username for the wrong-password logins")
	owner := flag.String("owner", "", "a user whose right password is tried once the flood is under way (user:password)")
	flag.Parse()

	type answer struct {
		status int
		took   time.Duration
	}
	answers := make([]answer, *n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range *n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := net.IPv4(127, byte(1+i/250), byte(i%250+1), 1)
			c := client(src)
			<-start
			t0 := time.Now()
			body := fmt.Sprintf(`{"username":%q,"password":"guess-%d"}`, fmt.Sprintf("%s%d", *user, i), i)
			answers[i] = answer{post(c, *url+"/v1/auth/login", body), time.Since(t0)}
		}()
	}
	close(start)
	var ownerAnswer string
	if *owner != "" {
		time.Sleep(200 * time.Millisecond) // in the middle of the flood
		var u, p string
		fmt.Sscanf(replaceColon(*owner), "%s %s", &u, &p)
		t0 := time.Now()
		st := post(client(net.IPv4(127, 9, 9, 9)), *url+"/v1/auth/login", fmt.Sprintf(`{"username":%q,"password":%q}`, u, p))
		ownerAnswer = fmt.Sprintf("the owner's login during the flood: %d after %s", st, time.Since(t0).Round(time.Millisecond))
	}
	wg.Wait()
	if *owner != "" {
		var u, p string
		fmt.Sscanf(replaceColon(*owner), "%s %s", &u, &p)
		t0 := time.Now()
		st := post(client(net.IPv4(127, 9, 9, 10)), *url+"/v1/auth/login", fmt.Sprintf(`{"username":%q,"password":%q}`, u, p))
		ownerAnswer += fmt.Sprintf("\nthe owner's login right after the flood: %d after %s", st, time.Since(t0).Round(time.Millisecond))
	}
	counts := map[int]int{}
	var took []time.Duration
	for _, a := range answers {
		counts[a.status]++
		took = append(took, a.took)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	fmt.Printf("%d concurrent logins from %d addresses: statuses %v\n", *n, *n, counts)
	fmt.Printf("answer times: p50 %s, p99 %s, slowest %s\n", took[len(took)/2].Round(time.Millisecond),
		took[len(took)*99/100].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond))
	if ownerAnswer != "" {
		fmt.Println(ownerAnswer)
	}
}

func replaceColon(s string) string {
	return string(bytes.Replace([]byte(s), []byte(":"), []byte(" "), 1))
}

// client sends from src, one connection of its own.
func client(src net.IP) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		DisableKeepAlives: true,
	}}
}

func post(c *http.Client, url, body string) int {
	resp, err := c.Post(url, "application/json", bytes.NewBufferString(body))
	if err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
