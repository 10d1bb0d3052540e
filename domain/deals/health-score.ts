/**
 * The company health score shown in the PSA sidebar: 0–100, the sum of four documented components.
 *   recent activity  (30): 3 points per activity-log entry on the company, its contacts or its deals in the last 30 days, up to 30
 *   email engagement (25): 25 × (opens + clicks + replies) / emails sent to its contacts in the last 90 days, capped at 25; no email sent: 0
 *   open pipeline    (25): 25 with an open deal whose expected close date is today or later; 10 when every open deal is past its date; 0 without open deals
 *   overdue tasks    (20): 20 minus 5 per open task past its due time, at least 0
 */
export const HEALTH_WINDOWS = { activityDays: 30, emailDays: 90 } as const;

export interface HealthFacts {
  activities30d: number;
  emailsSent90d: number;
  /** Opens, clicks and replies in the same 90 days. */
  emailEngagements90d: number;
  openDeals: number;
  openDealsNotOverdue: number;
  overdueTasks: number;
}

export interface HealthComponent {
  name: 'recent_activity' | 'email_engagement' | 'open_pipeline' | 'overdue_tasks';
  points: number;
  max: number;
  detail: string;
}

export interface HealthScore {
  score: number;
  components: HealthComponent[];
}

export function healthScore(f: HealthFacts): HealthScore {
  const activity = Math.min(30, 3 * f.activities30d);
  const engagement = f.emailsSent90d === 0 ? 0 : Math.min(25, Math.round((25 * f.emailEngagements90d) / f.emailsSent90d));
  const pipeline = f.openDealsNotOverdue > 0 ? 25 : f.openDeals > 0 ? 10 : 0;
  const tasks = Math.max(0, 20 - 5 * f.overdueTasks);
  const components: HealthComponent[] = [
    { name: 'recent_activity', points: activity, max: 30, detail: `${f.activities30d} activity-log entries in the last ${HEALTH_WINDOWS.activityDays} days` },
    { name: 'email_engagement', points: engagement, max: 25, detail: f.emailsSent90d === 0 ? `no email sent in the last ${HEALTH_WINDOWS.emailDays} days` : `${f.emailEngagements90d} opens, clicks and replies for ${f.emailsSent90d} emails sent in the last ${HEALTH_WINDOWS.emailDays} days` },
    { name: 'open_pipeline', points: pipeline, max: 25, detail: `${f.openDeals} open deals, ${f.openDealsNotOverdue} not past their expected close date` },
    { name: 'overdue_tasks', points: tasks, max: 20, detail: `${f.overdueTasks} open tasks past their due time` },
  ];
  return { score: components.reduce((s, c) => s + c.points, 0), components };
}
