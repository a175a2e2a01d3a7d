// Peer baseline: the book's key-value core (a map behind a sync.RWMutex) served on the same
// routes as kvs (PUT/GET/DELETE /v1/key/{key}) with net/http and nothing else from outside
// the standard library, so the bench can build it without downloading a module.
package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
)

const prefix = "/v1/key/"

// ErrNoSuchKey is the book's error for a key that is not stored.
var ErrNoSuchKey = errors.New("no such key")

var store = struct {
	sync.RWMutex
	m map[string]string
}{m: make(map[string]string)}

// Put stores value under key.
func Put(key, value string) {
	store.Lock()
	store.m[key] = value
	store.Unlock()
}

// Get returns the value stored under key, or ErrNoSuchKey.
func Get(key string) (string, error) {
	store.RLock()
	value, ok := store.m[key]
	store.RUnlock()
	if !ok {
		return "", ErrNoSuchKey
	}
	return value, nil
}

// Delete removes key; deleting a missing key is not an error.
func Delete(key string) {
	store.Lock()
	delete(store.m, key)
	store.Unlock()
}

// keyValueHandler routes by method, as the book's gorilla/mux routes do (Go 1.19's ServeMux
// has no method or path-parameter patterns).
func keyValueHandler(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, prefix)
	switch r.Method {
	case http.MethodPut:
		value, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		Put(key, string(value))
		w.WriteHeader(http.StatusCreated)
	case http.MethodGet:
		value, err := Get(key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(value))
	case http.MethodDelete:
		Delete(key)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func main() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	http.HandleFunc(prefix, keyValueHandler)
	// The ready line the harness waits for, in the shape of the node baselines' own.
	fmt.Printf("baseline: rest frontend listening on %s\n", listener.Addr())
	panic(http.Serve(listener, nil))
}
