// Package server is the domain of latch: accounts, orgs, projects, tokens,
// events and the rules that govern them. It knows nothing of HTTP, SQL or
// screens; storage and transport are adapters in its sub-packages that plug
// in through the Store interface and call the Service.
package server
