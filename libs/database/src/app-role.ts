/**
 * The group role every application login belongs to (R-T1). It owns nothing, so row-level security applies
 * to it; migrations grant it exactly what the app may do (the audit log, for one, gets no UPDATE or DELETE).
 */
export const APP_ROLE = 'missive_app';

export const CREATE_APP_ROLE_SQL = `DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
    CREATE ROLE ${APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
END $$`;
