package alarm

import (
	"bytes"
	"context"
	"maps"
	"sync"
)

// Compile-time interface checks.
var (
	_ Starter   = (*MemoryStarter)(nil)
	_ Publisher = (*MemoryPublisher)(nil)
)

// Execution is an execution a MemoryStarter started.
type Execution struct {
	Name  string
	Input []byte
}

// MemoryStarter is an in-memory Starter for tests. Like Step Functions it
// starts each execution name once and reports later starts of the name as
// existed. It is safe for concurrent use.
type MemoryStarter struct {
	// Fail, when set, is called before every start; a non-nil error fails
	// the start (nothing is recorded).
	Fail func(name string) error

	mu         sync.Mutex
	calls      int
	executions []Execution
}

// NewMemoryStarter returns a MemoryStarter with no executions.
func NewMemoryStarter() *MemoryStarter { return &MemoryStarter{} }

// StartExecution implements Starter.
func (s *MemoryStarter) StartExecution(ctx context.Context, name string, input []byte) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	s.calls++
	fail := s.Fail
	s.mu.Unlock()
	if fail != nil {
		if err := fail(name); err != nil {
			return false, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.executions {
		if e.Name == name {
			return true, nil
		}
	}
	s.executions = append(s.executions, Execution{Name: name, Input: bytes.Clone(input)})
	return false, nil
}

// Executions returns the executions started, in order.
func (s *MemoryStarter) Executions() []Execution {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Execution(nil), s.executions...)
}

// Calls returns how many times StartExecution was called.
func (s *MemoryStarter) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Message is a message a MemoryPublisher published.
type Message struct {
	ID         string
	Body       []byte
	Attributes map[string]string
}

// MemoryPublisher is an in-memory Publisher for tests; it records every
// message (it does not deduplicate, like a standard SNS topic). It is safe
// for concurrent use.
type MemoryPublisher struct {
	// Fail, when set, is called before every publish; a non-nil error
	// fails it (nothing is recorded).
	Fail func(id string) error

	mu       sync.Mutex
	messages []Message
}

// NewMemoryPublisher returns a MemoryPublisher with no messages.
func NewMemoryPublisher() *MemoryPublisher { return &MemoryPublisher{} }

// Publish implements Publisher.
func (p *MemoryPublisher) Publish(ctx context.Context, id string, message []byte, attributes map[string]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	fail := p.Fail
	p.mu.Unlock()
	if fail != nil {
		if err := fail(id); err != nil {
			return err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.messages = append(p.messages, Message{ID: id, Body: bytes.Clone(message), Attributes: maps.Clone(attributes)})
	return nil
}

// Messages returns the messages published, in order.
func (p *MemoryPublisher) Messages() []Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Message(nil), p.messages...)
}
