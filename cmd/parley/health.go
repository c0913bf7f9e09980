package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/models"
)

type health struct {
	Status string `json:"status"`
}

// readiness answers /readyz. Anonymous callers learn only the status;
// the cause goes to the log.
//   - draining (SIGTERM received) or database down: 503 "unavailable";
//   - Redis down: 200 "degraded" — every node shares Redis, so a 503 would
//     take all of them out, and requests fall back to per-node limits;
//   - otherwise 200 "ready".
type readiness struct {
	store    *models.Store
	redis    redis.UniversalClient
	log      *slog.Logger
	timeout  time.Duration
	draining atomic.Bool
}

func (rd *readiness) handle(c *gin.Context) {
	if rd.draining.Load() {
		c.JSON(http.StatusServiceUnavailable, health{Status: "unavailable"})
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), rd.timeout)
	defer cancel()
	if err := rd.store.Ping(ctx); err != nil {
		rd.log.Warn("readiness: database down", "err", err)
		c.JSON(http.StatusServiceUnavailable, health{Status: "unavailable"})
		return
	}
	if err := rd.redis.Ping(ctx).Err(); err != nil {
		rd.log.Warn("readiness: redis down", "err", err)
		c.JSON(http.StatusOK, health{Status: "degraded"})
		return
	}
	c.JSON(http.StatusOK, health{Status: "ready"})
}
