-- Issue 20, queues and routing: an agent's priority (1 is offered calls first, 9 last), set by
-- administrators. Routing takes the available agent with the queue's skill of the best priority,
-- then the one idle longest; the index follows that order.
ALTER TABLE telephony_agents ADD COLUMN priority smallint NOT NULL DEFAULT 1 CHECK (priority BETWEEN 1 AND 9);
DROP INDEX telephony_agents_routing_idx;
CREATE INDEX telephony_agents_routing_idx ON telephony_agents (workspace_id, status, priority, idle_since);
