package models

import "fmt"

// Status is a conversation's place in its life cycle (docs/design.md §3).
type Status string

// The conversation statuses.
const (
	StatusOpen          Status = "OPEN"
	StatusAwaitingAdmin Status = "AWAITING_ADMIN"
	StatusAwaitingUser  Status = "AWAITING_USER"
	StatusEscalated     Status = "ESCALATED"
	StatusResolved      Status = "RESOLVED"
	StatusClosed        Status = "CLOSED"
)

// Statuses lists every status in display order.
var Statuses = []Status{StatusOpen, StatusAwaitingAdmin, StatusAwaitingUser, StatusEscalated, StatusResolved, StatusClosed}

// ParseStatus validates a status name.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", Errorf(EINVALID, "unknown status %q", s)
}

// Event is something that happens to a conversation and may move its status.
type Event string

// The events of the status machine.
const (
	EventCustomerStart   Event = "customer_start"
	EventStaffStart      Event = "staff_start"
	EventCustomerMessage Event = "customer_message"
	EventStaffReply      Event = "staff_reply"
	EventNote            Event = "note"
	EventSystem          Event = "system"
)

// Transition is the answer of the status machine to one event.
type Transition struct {
	To       Status
	Reopened bool // the conversation left RESOLVED or CLOSED: a "reopened" event is written
	FollowUp bool // the message does not land here but in the thread's follow-up (From is CLOSED)
}

// Next is the status machine of docs/design.md §3 as a pure function. from is ""
// for the two start events.
func Next(from Status, ev Event) (Transition, error) {
	switch ev {
	case EventCustomerStart:
		if from == "" {
			return Transition{To: StatusOpen}, nil
		}
	case EventStaffStart:
		if from == "" {
			return Transition{To: StatusAwaitingUser}, nil
		}
	case EventCustomerMessage:
		switch from {
		case StatusOpen:
			return Transition{To: StatusOpen}, nil
		case StatusAwaitingUser, StatusAwaitingAdmin:
			return Transition{To: StatusAwaitingAdmin}, nil
		case StatusResolved:
			return Transition{To: StatusAwaitingAdmin, Reopened: true}, nil
		case StatusEscalated:
			return Transition{To: StatusEscalated}, nil
		case StatusClosed:
			return Transition{To: StatusClosed, FollowUp: true}, nil
		}
	case EventStaffReply:
		switch from {
		case StatusOpen, StatusAwaitingAdmin, StatusAwaitingUser:
			return Transition{To: StatusAwaitingUser}, nil
		case StatusResolved, StatusClosed:
			return Transition{To: StatusAwaitingUser, Reopened: true}, nil
		case StatusEscalated:
			return Transition{To: StatusEscalated}, nil
		}
	case EventNote, EventSystem:
		if from != "" {
			if _, err := ParseStatus(string(from)); err == nil {
				return Transition{To: from}, nil
			}
		}
	}
	return Transition{}, Errorf(EINVALID, "event %s is not possible from status %q", ev, from)
}

// Override is the machine's answer to a staff override from one status to
// another: any other status is allowed (who may leave ESCALATED is a policy
// question), and leaving RESOLVED or CLOSED for a status that is neither
// reopens the conversation.
func Override(from, to Status) (Transition, error) {
	if _, err := ParseStatus(string(to)); err != nil {
		return Transition{}, err
	}
	if from == to {
		return Transition{}, Errorf(EINVALID, "conversation is already %s", to)
	}
	return Transition{To: to, Reopened: from.IsTerminal() && !to.IsTerminal()}, nil
}

// IsTerminal reports whether staff consider the conversation finished.
func (s Status) IsTerminal() bool { return s == StatusResolved || s == StatusClosed }

func (s Status) String() string { return string(s) }

// Label is the human name of a status.
func (s Status) Label() string {
	switch s {
	case StatusOpen:
		return "Open"
	case StatusAwaitingAdmin:
		return "Awaiting staff"
	case StatusAwaitingUser:
		return "Awaiting customer"
	case StatusEscalated:
		return "Escalated"
	case StatusResolved:
		return "Resolved"
	case StatusClosed:
		return "Closed"
	}
	return fmt.Sprintf("%q", string(s))
}
