sql_admin_password = "Sup3r-Secret-Example-2024"
