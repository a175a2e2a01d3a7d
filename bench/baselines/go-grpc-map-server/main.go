// Peer baseline: the book's gRPC key-value server (a map behind a sync.RWMutex) for
// proto/keyvalue.proto, on grpc-go. It uses no downloaded module: the bench builds it in GOPATH
// mode against the grpc-go and protobuf sources of Debian's golang-google-grpc-dev and
// golang-google-protobuf-dev, with the code protoc generates into package keyvalue (its
// protoc-gen-go and protoc-gen-go-grpc plugins are Debian packages too).
package main

import (
	"context"
	"fmt"
	"net"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "kvsbench/keyvalue"
)

var store = struct {
	sync.RWMutex
	m map[string]string
}{m: make(map[string]string)}

type server struct {
	pb.UnimplementedKeyValueServer
}

// Get answers NOT_FOUND for a missing key, as kvs does (the book returns its error as UNKNOWN).
func (server) Get(_ context.Context, r *pb.GetRequest) (*pb.GetResponse, error) {
	store.RLock()
	value, ok := store.m[r.Key]
	store.RUnlock()
	if !ok {
		return nil, status.Error(codes.NotFound, "no such key")
	}
	return &pb.GetResponse{Value: value}, nil
}

// Put stores the value under the key.
func (server) Put(_ context.Context, r *pb.PutRequest) (*pb.PutResponse, error) {
	store.Lock()
	store.m[r.Key] = r.Value
	store.Unlock()
	return &pb.PutResponse{}, nil
}

// Delete removes the key; deleting a missing key is not an error.
func (server) Delete(_ context.Context, r *pb.DeleteRequest) (*pb.DeleteResponse, error) {
	store.Lock()
	delete(store.m, r.Key)
	store.Unlock()
	return &pb.DeleteResponse{}, nil
}

func main() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	s := grpc.NewServer()
	pb.RegisterKeyValueServer(s, server{})
	// The ready line the harness waits for, in the shape of the node baselines' own.
	fmt.Printf("baseline: grpc frontend listening on %s\n", listener.Addr())
	panic(s.Serve(listener))
}
