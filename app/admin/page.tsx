import type { Metadata } from "next";
import { AdminScreen } from "./_components/admin-screen";

export const metadata: Metadata = { title: "Admin · Poets" };

// A static shell like the home page: the data is fetched by the browser.
export default function AdminPage() {
  return <AdminScreen />;
}
