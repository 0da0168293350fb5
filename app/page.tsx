import { HomeScreen } from "./_components/home-screen";

// The page is a static shell: every piece of live data is fetched by the
// browser, so building it never touches the database.
export default function HomePage() {
  return <HomeScreen />;
}
