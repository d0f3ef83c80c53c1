// Package shardrun decides a policy run shard by shard (issue 16): the
// coordinator creates the run and hands out one part per shard on a work
// queue; `chanye worker` processes, each owning some shards and keeping
// their columns resident, decide and store their parts next to the data.
//
// The queue is NATS JetStream. A run's parts are messages on a work-queue
// stream, one subject per shard; each shard has one durable consumer that
// the workers owning it share. A worker holding a part tells the server
// it is still working (a heartbeat, InProgress) a few times per ack wait;
// a worker that dies stops, and the part is delivered again to another
// worker of the shard once the ack wait has passed — seconds, however
// long a healthy part takes. A part published twice (a coordinator
// resuming a run) is dropped by the stream's message-id dedupe. None of
// this makes a part stored twice impossible by itself: that is the shard's
// own record of the part, written in the transaction of its decisions
// (sqlstore.StoreRunPart), which a second delivery finds.
//
// A PostgreSQL job queue (river) was the other choice: it would enqueue a
// run's parts in the transaction that creates the run, but it finds a dead
// worker's job only by its age (a rescuer that runs every 30 s, after a
// stuck time longer than any healthy part), which alone would spend the
// daily run's minute. JetStream's heartbeats and ack wait find it in
// seconds; the non-atomic enqueue is covered by `policy run --resume`,
// which publishes again the parts a run still misses.
package shardrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chanye-org/chanye"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Part is one shard's part of a run, as a queue message.
type Part struct {
	RunID  int64 `json:"run_id"`
	Shard  int   `json:"shard"`
	Shards int   `json:"shards"`
}

// ID is the part's message id, for the stream's dedupe.
func (p Part) ID() string { return fmt.Sprintf("run-%d-part-%d-of-%d", p.RunID, p.Shard, p.Shards) }

// Config is where the queue lives and how long a part may go unheard.
type Config struct {
	URL string // NATS server, e.g. nats://127.0.0.1:4222
	// Stream is the JetStream stream's name; its subjects are the name
	// in lower case followed by ".part.<shard>". Default CHANYE_RUNS.
	Stream string
	// AckWait is how long a part may go without a heartbeat before it is
	// delivered again; heartbeats go every third of it. Default 15 s.
	AckWait time.Duration
}

// DefaultStream is the stream's name unless configured.
const DefaultStream = "CHANYE_RUNS"

// DefaultAckWait is Config.AckWait's default.
const DefaultAckWait = 15 * time.Second

// Queue is the work queue of run parts.
type Queue struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	stream  string
	prefix  string
	ackWait time.Duration
}

// Open connects to the queue, creating its stream when missing.
func Open(ctx context.Context, cfg Config) (*Queue, error) {
	if cfg.Stream == "" {
		cfg.Stream = DefaultStream
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = DefaultAckWait
	}
	if cfg.AckWait < time.Second || cfg.AckWait > time.Hour {
		return nil, chanye.Invalid("确认等待时间有误 / invalid ack wait", map[string]string{"ack_wait": "须在 1 秒至 1 小时之间 / must be 1 s to 1 h"})
	}
	nc, err := nats.Connect(cfg.URL, nats.Name("chanye"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("队列 / queue %s: %w", cfg.URL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	q := &Queue{nc: nc, js: js, stream: cfg.Stream, prefix: strings.ToLower(cfg.Stream), ackWait: cfg.AckWait}
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:     cfg.Stream,
		Subjects: []string{q.prefix + ".part.>"},
		// A part leaves the stream once acknowledged: parts are work,
		// not history (the runs and their parts are in the database).
		Retention:  jetstream.WorkQueuePolicy,
		Storage:    jetstream.FileStorage,
		Duplicates: 24 * time.Hour,
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("队列 / queue stream %s: %w", cfg.Stream, err)
	}
	return q, nil
}

// Close closes the connection.
func (q *Queue) Close() { q.nc.Close() }

// Delete removes the stream and every part on it (tests).
func (q *Queue) Delete(ctx context.Context) error { return q.js.DeleteStream(ctx, q.stream) }

func (q *Queue) subject(shard int) string { return q.prefix + ".part." + strconv.Itoa(shard) }

// Publish puts a part on the queue; the same part published again within
// a day is dropped by the stream.
func (q *Queue) Publish(ctx context.Context, p Part) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = q.js.Publish(ctx, q.subject(p.Shard), data, jetstream.WithMsgID(p.ID()))
	return err
}

// Pending returns the parts of shard waiting on the queue, delivered or not.
func (q *Queue) Pending(ctx context.Context, shard int) (uint64, error) {
	s, err := q.js.Stream(ctx, q.stream)
	if err != nil {
		return 0, err
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(q.subject(shard)))
	if err != nil {
		return 0, err
	}
	return info.State.Msgs, nil
}

// permanent marks an error that another delivery cannot cure (an unknown
// run, a wrong shard map): the part is taken off the queue.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Permanent wraps err so that Work takes the part off the queue instead of
// delivering it again.
func Permanent(err error) error { return permanent{err} }

// Work processes, until ctx ends, the parts of the shards given, one part
// per shard at a time: do is called with the part, the server is told
// every third of the ack wait that the work goes on, and the part is
// acknowledged when do returns nil. An error delivers it again after a
// pause (a Permanent one takes it off the queue). Work returns when ctx
// ends, or with the first error of the queue itself.
func (q *Queue) Work(ctx context.Context, shards []int, log *slog.Logger, do func(context.Context, Part) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(shards))
	for _, shard := range shards {
		cons, err := q.js.CreateOrUpdateConsumer(ctx, q.stream, jetstream.ConsumerConfig{
			Durable:       "shard-" + strconv.Itoa(shard),
			FilterSubject: q.subject(shard),
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       q.ackWait,
			MaxAckPending: 1,
		})
		if err != nil {
			return fmt.Errorf("队列 / queue consumer of shard %d: %w", shard, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := q.work(ctx, cons, log.With("shard", shard), do); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func (q *Queue) work(ctx context.Context, cons jetstream.Consumer, log *slog.Logger, do func(context.Context, Part) error) error {
	for ctx.Err() == nil {
		batch, err := cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			log.Warn("queue fetch", "err", err)
			sleep(ctx, time.Second)
			continue
		}
		for msg := range batch.Messages() {
			q.handle(ctx, msg, log, do)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && ctx.Err() == nil {
			log.Warn("queue fetch", "err", err)
		}
	}
	return nil
}

// handle processes one delivered part with heartbeats.
func (q *Queue) handle(ctx context.Context, msg jetstream.Msg, log *slog.Logger, do func(context.Context, Part) error) {
	var p Part
	if err := json.Unmarshal(msg.Data(), &p); err != nil {
		log.Error("queue: a part that is not JSON, taken off the queue", "err", err, "data", string(msg.Data()))
		msg.Term()
		return
	}
	log = log.With("run", p.RunID)
	if md, err := msg.Metadata(); err == nil && md.NumDelivered > 1 {
		log.Info("part delivered again", "delivery", md.NumDelivered)
	}
	beat, stop := context.WithCancel(ctx)
	go func() {
		t := time.NewTicker(q.ackWait / 3)
		defer t.Stop()
		for {
			select {
			case <-beat.Done():
				return
			case <-t.C:
				if err := msg.InProgress(); err != nil {
					log.Warn("queue heartbeat", "err", err)
				}
			}
		}
	}()
	err := do(ctx, p)
	stop()
	var perm permanent
	switch {
	case err == nil:
		if err := msg.DoubleAck(ctx); err != nil {
			// Delivered again later: the part's record makes that a no-op.
			log.Warn("queue ack", "err", err)
		}
	case errors.As(err, &perm):
		log.Error("part refused, taken off the queue", "err", err)
		msg.TermWithReason(err.Error())
	case ctx.Err() != nil:
		msg.Nak() // shutting down: another worker takes it now
	default:
		log.Error("part failed, delivered again", "err", err)
		msg.NakWithDelay(5 * time.Second)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
