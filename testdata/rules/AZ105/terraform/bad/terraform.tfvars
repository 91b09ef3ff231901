sql_admin_password = "Sql-Admin-Example-2024!"
