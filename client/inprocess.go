package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// WithHandler sends requests to h in this process instead of over the
// network: an adapter that runs beside the HTTP API (the SSH server, for its
// consoles and commands) calls the very handler `latch serve` serves, with
// what it vouches for in the request's context, and no socket, pool or TLS
// in between. Answers stream as they are written (event streams included);
// closing the body, or ending the request's context, ends the handler's.
func WithHandler(h http.Handler) Option {
	return WithTransport(HandlerTransport(h))
}

// HandlerTransport is the round tripper of WithHandler.
func HandlerTransport(h http.Handler) http.RoundTripper { return handlerTransport{h: h} }

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	in := req.Clone(ctx)
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "in-process"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	if in.Host == "" {
		in.Host = req.URL.Host
	}
	w := &handlerWriter{header: http.Header{}, status: http.StatusOK, ready: make(chan struct{})}
	go func() {
		defer w.finish()
		defer in.Body.Close()
		defer func() {
			if v := recover(); v != nil { // http.ErrAbortHandler too: the answer is cut off
				w.fail(fmt.Errorf("in-process handler: %v", v))
			}
		}()
		t.h.ServeHTTP(w, in)
	}()
	select {
	case <-w.ready:
	case <-ctx.Done():
		cancel() // the handler sees it and returns; its answer goes nowhere
		return nil, ctx.Err()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil && !w.wrote {
		cancel()
		return nil, w.err
	}
	resp := &http.Response{
		Status: strconv.Itoa(w.status) + " " + http.StatusText(w.status), StatusCode: w.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.sent, Request: req, ContentLength: -1,
	}
	if w.pipe == nil { // the handler returned: the whole answer is here
		resp.ContentLength = int64(w.buf.Len())
		resp.Body = &handlerBody{r: bytes.NewReader(w.buf.Bytes()), cancel: cancel}
	} else {
		resp.Body = &handlerBody{r: w.pipe, closer: w.pipe, cancel: cancel}
	}
	return resp, nil
}

// handlerWriter buffers an answer until the handler returns, or until it
// flushes (a stream): from then on what it writes goes through a pipe the
// caller reads.
type handlerWriter struct {
	header http.Header

	mu     sync.Mutex
	sent   http.Header // the header as of WriteHeader
	status int
	wrote  bool // WriteHeader happened
	buf    bytes.Buffer
	pipe   *io.PipeReader
	out    *io.PipeWriter
	ready  chan struct{} // closed once the caller may read the answer
	closed bool          // ready is closed
	err    error
}

func (w *handlerWriter) Header() http.Header { return w.header }

func (w *handlerWriter) WriteHeader(status int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeHeader(status)
}

func (w *handlerWriter) writeHeader(status int) {
	if w.wrote {
		return
	}
	if status < 100 || status > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", status))
	}
	w.wrote, w.status, w.sent = true, status, w.header.Clone()
}

func (w *handlerWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writeHeader(http.StatusOK)
	out := w.out
	if out == nil {
		defer w.mu.Unlock()
		return w.buf.Write(p)
	}
	w.mu.Unlock()
	return out.Write(p) // waits for the caller to read it
}

// Flush hands the answer to the caller and streams the rest.
func (w *handlerWriter) Flush() {
	w.mu.Lock()
	w.writeHeader(http.StatusOK)
	if w.out != nil {
		w.mu.Unlock()
		return
	}
	w.pipe, w.out = io.Pipe()
	pending := bytes.Clone(w.buf.Bytes())
	w.buf.Reset()
	out := w.out
	w.release()
	w.mu.Unlock()
	if len(pending) > 0 {
		_, _ = out.Write(pending)
	}
}

// release lets RoundTrip return; callers hold mu.
func (w *handlerWriter) release() {
	if !w.closed {
		w.closed = true
		close(w.ready)
	}
}

// finish ends the answer when the handler returns.
func (w *handlerWriter) finish() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.writeHeader(http.StatusOK)
	}
	if w.out != nil {
		_ = w.out.CloseWithError(w.err)
	}
	w.release()
}

func (w *handlerWriter) fail(err error) {
	w.mu.Lock()
	w.err = err
	w.mu.Unlock()
}

// handlerBody is an answer's body; closing it ends the request's context,
// so a handler still streaming stops.
type handlerBody struct {
	r      io.Reader
	closer io.Closer
	cancel context.CancelFunc
	once   sync.Once
}

func (b *handlerBody) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *handlerBody) Close() error {
	b.once.Do(func() {
		b.cancel()
		if b.closer != nil {
			_ = b.closer.Close()
		}
	})
	return nil
}
