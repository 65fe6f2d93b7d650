package httpapi

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/latch-dev/latch/server"
)

// clientAddr is where a request comes from: the connection's peer, unless
// the peer is a trusted proxy (--trusted-proxy); then X-Forwarded-For is
// read from the right, past every trusted hop, to the first address no
// trusted proxy stands for. Hops left of it were written by the client
// and prove nothing, so a client cannot choose the address that throttling
// and events see; without trusted proxies the header is ignored.
func (a *API) clientAddr(r *http.Request) (addr string, viaTrusted bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(a.trusted) == 0 {
		return host, false
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !a.isTrusted(peer) {
		return host, false
	}
	hops := r.Header.Values("X-Forwarded-For")
	cur := peer
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			hop, ok := parseHop(parts[j])
			if !ok {
				// A trusted proxy wrote something that is no address: the
				// nearest hop known is as far as anything can be believed.
				return cur.String(), true
			}
			cur = hop
			if !a.isTrusted(hop) {
				return cur.String(), true
			}
		}
	}
	return cur.String(), true
}

func (a *API) isTrusted(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range a.trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// parseHop reads one X-Forwarded-For entry: an address, or one with a
// port as some proxies write it ("192.0.2.1:4711", "[2001:db8::1]:4711").
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ip, err := netip.ParseAddr(s); err == nil {
		return ip.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

// ParseTrustedProxies reads --trusted-proxy values: CIDR prefixes, or
// single addresses.
func ParseTrustedProxies(vals []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if p, err := netip.ParsePrefix(s); err == nil {
				out = append(out, p.Masked())
				continue
			}
			ip, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is neither an address nor a CIDR prefix (e.g. 10.0.0.0/8)", s)
			}
			out = append(out, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
		}
	}
	return out, nil
}

// meta is where a request comes from: as an adapter of this process
// vouched for it (the SSH layer), else the client's address as ServeHTTP
// resolved it and the client's name, which the handler wrapper has checked.
func meta(r *http.Request) server.Meta {
	info := infoFrom(r.Context())
	if info == nil {
		info = &reqInfo{}
		info.meta, info.vouched = server.MetaFrom(r.Context())
		if !info.vouched {
			info.addr, _, _ = net.SplitHostPort(r.RemoteAddr)
		}
	}
	agent := server.CleanAgent(headerValue(r, headerUserAgent))
	if info.vouched {
		m := info.meta
		if m.Agent == "" {
			m.Agent = agent
		}
		if m.Auth == "" {
			m.Auth = info.auth
		}
		return m
	}
	method := "http"
	if c := headerValue(r, HeaderClient); c != "" {
		method = c
	}
	return server.Meta{Addr: info.addr, Method: method, Agent: agent, Auth: info.auth}
}
