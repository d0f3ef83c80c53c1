package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/policy"
)

// A run decided shard by shard shows how far it is on the runs pages, and
// cannot be publicised until its last part is in.
func TestShardedRunPages(t *testing.T) {
	f := newPolicyFixture(t)
	ctx := chanye.WithActor(context.Background(), chanye.Operator)
	run := &policy.Run{AsOf: f.run.AsOf, Policies: []policy.RunPolicy{{ID: f.publicID, Version: 1}}}
	if err := f.store.CreateShardedRun(ctx, run, 4); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(run.ID, 10)
	for _, path := range []string{"/runs", "/runs/" + id} {
		res, body := f.do(t, "GET", path, nil)
		if res.StatusCode != 200 || !strings.Contains(body, "分片计算中：已完成 0/4 片") {
			t.Errorf("%s: %d, no progress of the sharded run", path, res.StatusCode)
		}
	}
	if res, body := f.do(t, "GET", "/runs/"+id+"?lang=en", nil); !strings.Contains(body, "Sharded run in progress: 0 of 4 parts stored") {
		t.Errorf("/runs/%s in English: %d, no progress", id, res.StatusCode)
	}
	res, body := f.do(t, "POST", "/runs/"+id+"/policies/"+f.publicID+"/publicise", url.Values{"days": {"5"}})
	if res.StatusCode != 400 || !strings.Contains(body, "尚未完成（0/4 个分片），不能公示") {
		t.Errorf("publicising an incomplete run: %d, want 400 saying why", res.StatusCode)
	}
}
