-- Distributing Dorp's PostgreSQL over Citus, by network (see README, "Moving to Citus").
--
-- Run once, as the table owner, on the Citus coordinator, after `flask db upgrade` has brought
-- the schema to head (migration 0021 made every tenant table's keys include network_id) and the
-- worker nodes have been added (SELECT citus_add_node(...)). Each call copies a table's rows
-- into its shards; run it in a maintenance window (the web and worker processes stopped).
--
-- Three kinds of table, checked against the models by tests/test_citus.py:
--   reference: the platform's small tables, copied to every node (networks, users, the global
--              keys that find a network before it is known, ...); distributed tables may point
--              at them.
--   local:     platform tables written at almost every request or sign-in; they stay on the
--              coordinator (a reference table would write every change to every node).
--   distributed: every tenant table (the TenantOwned models), by network_id, all co-located
--              with `partners`, so one network's rows live on one node and joins between them
--              stay on it. In foreign-key order: a table after those it points at.

BEGIN;
-- distributing tables that point at reference tables in one transaction needs this
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

-- reference tables
SELECT create_reference_table('network_signups');
SELECT create_reference_table('platform_sso_providers');
SELECT create_reference_table('users');
SELECT create_reference_table('networks');
SELECT create_reference_table('notification_preferences');
SELECT create_reference_table('platform_sso_links');
SELECT create_reference_table('recovery_codes');
SELECT create_reference_table('second_factors');
SELECT create_reference_table('global_keys');
SELECT create_reference_table('stripe_events');

-- local tables, kept on the coordinator (their foreign keys point at reference tables)
SELECT citus_add_local_table_to_metadata('login_sessions');  -- every request of a signed-in person touches it
SELECT citus_add_local_table_to_metadata('security_events');  -- a row per sign-in, failed or not, kept 400 days
SELECT citus_add_local_table_to_metadata('sign_in_devices');  -- written at every sign-in
SELECT citus_add_local_table_to_metadata('outbox_messages');  -- the mail queue: written with every change that e-mails, drained by the workers

-- distributed tables, by network, co-located
SELECT create_distributed_table('partners', 'network_id');
SELECT create_distributed_table('audit_events', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('closures', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('locations', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('network_exports', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('notifications', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('offer_types', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('rosters', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('sso_providers', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('subscriptions', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('team_slots', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('worker_profiles', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('api_tokens', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('fixed_contacts', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('flexibility_cards', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('invitations', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('memberships', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('offers', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('roster_retirements', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('school_wishes', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('sso_links', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('offer_followers', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('offer_partners', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('sessions', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('staffing_needs', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('headcounts', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('referrals', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('roster_assignments', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('referral_consents', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('referral_events', 'network_id', colocate_with => 'partners');
SELECT create_distributed_table('referral_messages', 'network_id', colocate_with => 'partners');

COMMIT;
