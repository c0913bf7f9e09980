package inbox_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/models"
	"github.com/parleyhq/parley/models/storetest"
	"github.com/parleyhq/parley/policies"
	"github.com/parleyhq/parley/web"
)

func TestSmoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *models.Store) {
		ctx := context.Background()
		pol, err := policies.New()
		if err != nil {
			t.Fatal(err)
		}
		rdb, prefix := storetest.Redis(t)
		lim := web.NewLimiter(rdb, prefix)
		svc := inbox.New(st, pol, inbox.SystemClock{}, lim)
		acc := inbox.NewAccounts(st, pol, inbox.SystemClock{}, lim, []byte("secret"), 0)
		cust, err := acc.CreateCustomer(ctx, "a@example.com", "A", "")
		if err != nil {
			t.Fatal(err)
		}
		staff, err := acc.CreateStaff(ctx, models.System, "agent1", "agent", "", "x")
		if err != nil {
			t.Fatal(err)
		}
		ca := models.Actor{Kind: models.ActorCustomer, ID: cust.ID, Role: "customer"}
		sa := models.Actor{Kind: models.ActorStaff, ID: staff.ID, Role: "agent"}
		c, m, err := svc.Start(ctx, ca, inbox.StartInput{Subject: "Hi", Body: "hello"})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v %+v", c, m)
		m2, c2, err := svc.Send(ctx, sa, c.ID, "reply", "hi back")
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v %+v", m2, c2)
		th, err := svc.Open(ctx, ca, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d msgs %+v", len(th.Messages), th.Conversation)
		if _, err := svc.Take(ctx, sa, c.ID); err != nil {
			t.Fatal(err)
		}
		p, err := svc.List(ctx, sa, models.ConversationFilter{})
		if err != nil || len(p.Items) != 1 {
			t.Fatal(err, p)
		}
	})
}
