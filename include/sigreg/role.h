/*
 * role.h - the three roles of sigreg and what each may do.
 *
 * admin: users, units, forms, settings and everything else.
 * coordinator: the cases of their own units and the code key.
 * analyst: aggregated statistics only; never case-level data, never the
 * identity key (which is what makes the code key out of reach, not a check).
 */
#ifndef SIGREG_ROLE_H
#define SIGREG_ROLE_H

typedef enum sr_role { SR_ROLE_ADMIN = 0, SR_ROLE_COORDINATOR, SR_ROLE_ANALYST } sr_role;

/* "admin", "coordinator" or "analyst" (static string). */
const char *sr_role_name(sr_role role);
/* 0 and *out set when name is a role, -1 otherwise. */
int sr_role_parse(const char *name, sr_role *out);
/* Whether a role holds the identity key (admin and coordinator). */
int sr_role_holds_identity(sr_role role);

#endif
