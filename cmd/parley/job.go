package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/jobs"
	"github.com/parleyhq/parley/models"
)

const jobUsage = "job: want `job run retention|auto_close|distribute|cleanup [--dry-run]`"

// job runs one periodic job now and prints a summary (issue 8, "Operating
// them"); --dry-run counts what it would do, per reason, changing nothing.
func job(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) < 2 || args[0] != "run" {
		return errors.New(jobUsage)
	}
	name, args := args[1], args[2:]
	var dryRun bool
	rt, cfg, err := cliRuntime(ctx, "job run "+name, args, getenv, func(fs *flag.FlagSet, _ *config) {
		fs.BoolVar(&dryRun, "dry-run", false, "count what the job would do, per reason, without changing anything")
	})
	if err != nil {
		return err
	}
	defer rt.close()
	svc := inbox.New(rt.store, rt.pol, inbox.SystemClock{}, nil, rt.inboxOptions()...)
	switch name {
	case "retention":
		if dryRun {
			p, err := svc.RetentionDryRun(ctx, cliActor())
			if err != nil {
				return err
			}
			if p.Disabled {
				fmt.Fprintln(stdout, "retention: off (retention_days is 0); nothing would be deleted")
				return nil
			}
			fmt.Fprintf(stdout, "retention dry run: %d days, cut-off %s, next purge %s\n", p.RetentionDays,
				p.Cutoff.Format(time.RFC3339), p.NextSlot.Format(time.RFC3339))
			printCounts(stdout, true, p.Counts)
			return nil
		}
		// A manual run is a slot of its own, starting now.
		res, err := svc.PurgeSlot(ctx, time.Now().UTC().Truncate(time.Second), inbox.PurgeOptions{})
		if err != nil {
			return err
		}
		if res.Disabled {
			fmt.Fprintln(stdout, "retention: off (retention_days is 0); nothing deleted")
			return nil
		}
		fmt.Fprintf(stdout, "retention purge: slot %s, cut-off %s, %d batches in %s\n", res.Slot.Format(time.RFC3339),
			res.Cutoff.Format(time.RFC3339), res.Batches, res.Duration.Round(time.Millisecond))
		printCounts(stdout, false, res.Counts)
	case "auto_close":
		res, err := svc.AutoClose(ctx, dryRun)
		if err != nil {
			return err
		}
		verb := "closed"
		if dryRun {
			verb = "would close"
		}
		fmt.Fprintf(stdout, "auto-close: %s %d assigned (idle, awaiting customer or resolved), %d unassigned (idle)\n",
			verb, res.ClosedAssigned, res.ClosedUnassigned)
	case "distribute":
		res, err := svc.Distribute(ctx, dryRun)
		if err != nil {
			return err
		}
		verb := "assigned"
		if dryRun {
			verb = "would assign"
		}
		fmt.Fprintf(stdout, "distribution (%s): %d waiting, %s %d\n", res.Mode, res.Waiting, verb, res.Assigned)
		ids := make([]int64, 0, len(res.PerAgent))
		for id := range res.PerAgent {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			fmt.Fprintf(stdout, "  staff %d: %d\n", id, res.PerAgent[id])
		}
		reasons := make([]string, 0, len(res.Skipped))
		for r := range res.Skipped {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		for _, r := range reasons {
			fmt.Fprintf(stdout, "  not assigned (%s): %d\n", r, res.Skipped[r])
		}
	case "cleanup":
		if dryRun {
			return errors.New("cleanup has no dry run")
		}
		c := jobs.NewCleanup(rt.store, svc, jobs.NewRelay(rt.store, rt.asynq, rt.log), cfg.AdminSessionTTL)
		res, err := c.Run(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "cleanup: %d done outbox rows, %d expired back-office sessions and form tokens, %d idle guests\n", res.Outbox, res.AdminSessions, res.Guests)
	default:
		return fmt.Errorf("unknown job %q; %s", name, jobUsage)
	}
	return nil
}

func printCounts(w io.Writer, dry bool, c models.RetentionCounts) {
	del := "deleted"
	if dry {
		del = "to delete"
	}
	fmt.Fprintf(w, "  messages %s: %d\n", del, c.DeletedMessages)
	fmt.Fprintf(w, "  messages kept (escalated): %d\n", c.KeptEscalated)
	fmt.Fprintf(w, "  messages kept (linked to an open order): %d\n", c.KeptOpenOrder)
	fmt.Fprintf(w, "  attachments %s: %d\n", del, c.DeletedAttachments)
	fmt.Fprintf(w, "  conversations %s (left empty): %d\n", del, c.DeletedConversations)
}
