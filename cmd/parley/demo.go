package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
)

// demoLogin is an account the banner offers.
type demoLogin struct{ Login, Password string }

// historyClock is the seeder's clock: it writes history at past times.
type historyClock struct{ t time.Time }

func (c *historyClock) Now() time.Time { return c.t }

// importLimits lets the seeder write a customer's history at once; it is a
// rate limiter for imports of past traffic, never for live requests.
type importLimits struct{}

func (importLimits) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return true, 0, nil
}

var (
	demoStaff = []struct{ user, role string }{
		{"owner", models.RoleOwner}, {"admin", models.RoleAdmin}, {"chatadmin", models.RoleChatAdmin},
		{"agent1", models.RoleAgent}, {"agent2", models.RoleAgent},
	}
	firstNames = []string{"Alice", "Bob", "Chloé", "Dmitri", "Emma", "Farah", "Gustav", "Hana", "Ines", "Jonas", "Kofi", "Lena", "Mateo",
		"Nora", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tomás", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoë"}
	lastNames = []string{"Martin", "Novak", "Okafor", "Schmidt", "Rossi", "Tanaka", "Dubois", "Larsen", "García", "Kowalski"}
	products  = []struct {
		sku, name string
		cents     int64
	}{{"MUG-01", "Stoneware mug", 1800}, {"TEE-02", "Organic cotton T-shirt", 2900}, {"BAG-03", "Canvas tote bag", 2200},
		{"LMP-04", "Desk lamp", 6400}, {"KTL-05", "Electric kettle", 5900}, {"PLT-06", "Ceramic plate set", 4500}}
	topics = []struct{ subject, opening, followup string }{
		{"Where is my order?", "Hi, my order hasn't arrived yet and tracking hasn't moved for three days. Can you check?", "Any news on the delivery?"},
		{"Wrong size delivered", "I ordered a medium T-shirt but received a large. How do I exchange it?", "I've packed it up, where do I send it?"},
		{"Refund request", "The kettle stopped working after a week. I'd like a refund, please.", "Could you confirm the refund amount?"},
		{"Change delivery address", "Can I still change the delivery address of my order? I'm moving on Friday.", "The new address is 12 Harbour Street."},
		{"Damaged item", "The plate set arrived with two broken plates. Photos are on the way.", "Shall I keep the broken ones for the courier?"},
		{"Discount code not working", "The code WELCOME10 says it is invalid at checkout.", "I tried again this morning, same message."},
		{"Question about materials", "Is the tote bag machine washable?", "And is the print colourfast?"},
		{"Invoice needed", "Could you send me an invoice with my company's VAT number?", "The VAT number is DE123456789."},
	}
	staffReplies = []string{
		"Thanks for reaching out! I'm looking into it right now.",
		"I've checked with the warehouse: your parcel left yesterday and should arrive within two working days.",
		"Sorry about that! I've created a prepaid return label, you'll receive it by e-mail shortly.",
		"Done — I've updated that for you. Anything else I can help with?",
		"Thank you for your patience. The replacement is on its way.",
	}
	notes = []string{"Customer is a repeat buyer, be generous.", "Checked carrier portal: parcel stuck at hub.", "Needs finance approval above 50 EUR."}
)

// seedDemo fills an empty database with a believable store, through the
// services, and answers the demo logins. A seeded database is left alone.
func seedDemo(ctx context.Context, rt *runtime, out io.Writer) ([]demoLogin, error) {
	password := rt.cfg.DemoPassword
	if password == "" {
		var err error
		if password, err = keptValue(rt.cfg.DataDir, "demo-password", 8); err != nil {
			return nil, err
		}
	}
	logins := []demoLogin{}
	for _, s := range demoStaff {
		logins = append(logins, demoLogin{Login: s.user, Password: password})
	}
	logins = append(logins, demoLogin{Login: "alice@example.com", Password: password}, demoLogin{Login: "bob@example.com", Password: password})

	if n, err := rt.store.CountCustomers(ctx); err != nil || n > 0 {
		return logins, err
	}
	if _, _, err := rt.store.StaffCredentials(ctx, "owner"); err == nil {
		return logins, nil
	}
	start := time.Now()
	// One hash for every demo account: bcrypt is slow on purpose.
	hash, err := inbox.HashPassword(password)
	if err != nil {
		return nil, err
	}
	clock := &historyClock{t: time.Now().Add(-30 * 24 * time.Hour)}
	acc := inbox.NewAccounts(rt.store, rt.pol, clock, importLimits{}, rt.secret, rt.cfg.TokenTTL)
	svc := inbox.New(rt.store, rt.pol, clock, importLimits{})
	rng := rand.New(rand.NewPCG(7, 11))

	sys := models.System
	sys.Name = "demo"
	staff := map[string]models.Actor{}
	for _, s := range demoStaff {
		st, err := acc.CreateStaff(ctx, sys, s.user, s.role, s.user+"@store.example", hash)
		if err != nil {
			return nil, err
		}
		staff[s.user] = models.Actor{Kind: models.ActorStaff, ID: st.ID, Role: st.Role, Name: st.Username}
	}

	type buyer struct {
		actor  models.Actor
		orders []models.Order
	}
	var buyers []buyer
	for i := 0; i < 52; i++ {
		email, name := "", ""
		switch i {
		case 0:
			email, name = "alice@example.com", "Alice Martin"
		case 1:
			email, name = "bob@example.com", "Bob Novak"
		default:
			f, l := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames)+i)%len(lastNames)]
			name = f + " " + l
			email = fmt.Sprintf("%s.%s%d@example.com", asciiLower(f), asciiLower(l), i)
		}
		c, err := acc.CreateCustomer(ctx, email, name, hash)
		if err != nil {
			return nil, err
		}
		b := buyer{actor: models.Actor{Kind: models.ActorCustomer, ID: c.ID, Role: models.RoleCustomer, Name: c.Email}}
		for j := 0; j < 1+rng.IntN(3); j++ {
			o := models.Order{CustomerID: c.ID, Number: fmt.Sprintf("PA-%05d", 10000+i*10+j), Currency: "EUR",
				Status:    []string{"open", "fulfilled", "fulfilled", "cancelled"}[rng.IntN(4)],
				CreatedAt: models.Now(time.Now().Add(-time.Duration(rng.IntN(60*24)) * time.Hour))}
			for k := 0; k < 1+rng.IntN(3); k++ {
				p := products[rng.IntN(len(products))]
				it := models.OrderItem{SKU: p.sku, Name: p.name, Quantity: 1 + rng.IntN(2), PriceCents: p.cents}
				o.Items = append(o.Items, it)
				o.TotalCents += int64(it.Quantity) * it.PriceCents
			}
			if err := rt.store.InsertOrder(ctx, &o); err != nil {
				return nil, err
			}
			b.orders = append(b.orders, o)
		}
		if i%3 == 0 {
			p := products[rng.IntN(len(products))]
			if err := rt.store.InsertCart(ctx, c.ID, []models.OrderItem{{SKU: p.sku, Name: p.name, Quantity: 1, PriceCents: p.cents}}, models.Now(time.Now())); err != nil {
				return nil, err
			}
		}
		buyers = append(buyers, b)
	}

	agents := []string{"agent1", "agent2", "chatadmin"}
	statuses := models.Statuses
	for i := 0; i < 216; i++ {
		b := buyers[i%len(buyers)]
		topic := topics[rng.IntN(len(topics))]
		// Spread over the last two weeks, the newest minutes ago.
		clock.t = time.Now().Add(-time.Duration(i)*90*time.Minute - time.Duration(rng.IntN(40))*time.Minute - 10*time.Hour)
		step := func() { clock.t = clock.t.Add(time.Duration(5+rng.IntN(90)) * time.Minute) }
		var order *int64
		if len(b.orders) > 0 && rng.IntN(3) > 0 {
			id := b.orders[rng.IntN(len(b.orders))].ID
			order = &id
		}
		target := statuses[i%len(statuses)]
		agent := staff[agents[i%len(agents)]]
		var conv models.Conversation
		if i%17 == 5 && target == models.StatusAwaitingUser {
			// Proactive outreach (R5).
			if conv, _, err = svc.Start(ctx, agent, inbox.StartInput{CustomerID: b.actor.ID, Subject: "About your recent order",
				Body: "Hello! We noticed your order was delayed and wanted to let you know we've upgraded the shipping for free.", OrderID: order}); err != nil {
				return nil, err
			}
		} else if conv, _, err = svc.Start(ctx, b.actor, inbox.StartInput{Subject: topic.subject, Body: topic.opening, OrderID: order}); err != nil {
			return nil, err
		}
		if target == models.StatusOpen {
			if rng.IntN(2) == 0 {
				step()
				if _, _, err := svc.Send(ctx, b.actor, conv.ID, models.KindReply, topic.followup); err != nil {
					return nil, err
				}
			}
			continue
		}
		step()
		assigned := rng.IntN(5) > 0
		if assigned && conv.AssignedTo == nil {
			if _, err := svc.Take(ctx, agent, conv.ID); err != nil {
				return nil, err
			}
		}
		if conv.Status == models.StatusOpen {
			step()
			if _, _, err := svc.Send(ctx, agent, conv.ID, models.KindReply, staffReplies[rng.IntN(len(staffReplies))]); err != nil {
				return nil, err
			}
		}
		if rng.IntN(3) == 0 {
			step()
			if _, _, err := svc.Send(ctx, agent, conv.ID, models.KindNote, notes[rng.IntN(len(notes))]); err != nil {
				return nil, err
			}
		}
		switch target {
		case models.StatusAwaitingAdmin:
			step()
			_, _, err = svc.Send(ctx, b.actor, conv.ID, models.KindReply, topic.followup)
		case models.StatusEscalated:
			step()
			_, err = svc.ChangeStatus(ctx, agent, conv.ID, models.StatusEscalated, "Refund above agent limit")
		case models.StatusResolved, models.StatusClosed:
			step()
			if _, _, err = svc.Send(ctx, b.actor, conv.ID, models.KindReply, "Perfect, thank you!"); err == nil {
				step()
				_, err = svc.ChangeStatus(ctx, agent, conv.ID, models.StatusResolved, "")
			}
			if err == nil && target == models.StatusClosed {
				step()
				_, err = svc.ChangeStatus(ctx, agent, conv.ID, models.StatusClosed, "")
			}
		}
		if err != nil {
			return nil, err
		}
	}
	// The seeded history notifies nobody (R19: no e-mail, no bell for it).
	if _, err := rt.store.SettleOutbox(ctx, []string{inbox.TaskNotifyNewMessage, inbox.TaskNotifyEscalation}, time.Now()); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "seeded a demo store: 5 staff, %d customers, 216 conversations in %s\n", len(buyers), time.Since(start).Round(time.Millisecond))
	return logins, nil
}

func asciiLower(s string) string {
	r := strings.NewReplacer("é", "e", "á", "a", "ë", "e", "ö", "o", "ç", "c")
	return strings.ToLower(r.Replace(s))
}
